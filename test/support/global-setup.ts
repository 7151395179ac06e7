/** Placeholder replaced by the DynamoDB Local launcher below. */
export default function setup(): void {}
