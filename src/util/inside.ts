// Whether one absolute path lies inside another, by path components (no
// file-system access): "/a/..x" is inside "/a", "/a/../b" is not.
import { isAbsolute, relative, sep } from 'node:path';

export function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  // "..x" is a name inside; only ".." itself or "../..." climbs out.
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}

export function isSameOrInside(child: string, parent: string): boolean {
  return child === parent || isInside(child, parent);
}
