/**
 * What a branch is until it is configured: the company works in China, from one main branch. Every
 * default time zone and branch id comes from here.
 */

/** IANA zone of calendars, local days and numbers when a branch sets none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The branch of a request registered without one. */
export const DEFAULT_BRANCH_ID = 'main';
