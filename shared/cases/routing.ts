/**
 * Routing of customer feedback by subject (SPEC §3, from 000 三.5–8): each subject has the department
 * that must act on it.
 */
export const feedbackSubjects = ['quality', 'packaging', 'staff_attitude', 'dealer', 'other'] as const;
export type FeedbackSubject = (typeof feedbackSubjects)[number];

export const departmentFor: Record<FeedbackSubject, string> = {
  quality: 'rnd_production',
  packaging: 'warehouse_transport',
  staff_attitude: 'service_marketing',
  dealer: 'channel_coordination',
  other: 'service',
};
