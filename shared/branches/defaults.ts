/** The deployment's default branch and its timezone, used wherever no branch setting applies yet. */
export const DEFAULT_BRANCH_ID = 'main';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
