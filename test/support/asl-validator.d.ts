/** asl-validator ships no types: the part the definition test uses. */
declare module 'asl-validator' {
  export default function aslValidator(definition: unknown): {
    isValid: boolean;
    errors: unknown[];
  };
}
