/** One reference token of a JSON Pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
