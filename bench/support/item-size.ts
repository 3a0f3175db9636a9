/**
 * DynamoDB's item size, by its published rules: the UTF-8 length of each attribute name plus its
 * value's size. Strings: UTF-8 bytes. Numbers: 1 byte per two significant digits, plus 1. Binary:
 * bytes. Booleans and nulls: 1 byte. Lists and maps: 3 bytes, plus 1 byte per element, plus the
 * elements (and, in maps, their names). Sets: the sum of their elements. This is what the capacity
 * floors are computed from; DynamoDB Local bills reads and writes by the same sizes.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

function numberSize(value: number | bigint): number {
  const digits = String(value).replace(/^-/, '').replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += valueSize(element);
    return size;
  }
  if (Array.isArray(value)) return 3 + value.reduce((total: number, element) => total + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(name) + valueSize(element);
    }
    return size;
  }
  throw new Error(`Cannot size a ${typeof value}`);
}

/** Read units for `bytes` read in one request: 4 KB blocks, half a unit each when eventually consistent. */
export function readUnitsFor(bytes: number, consistent = false): number {
  const blocks = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? blocks : blocks / 2;
}

/** Write units for one item of `bytes`: 1 KB blocks, doubled inside a transaction. */
export function writeUnitsFor(bytes: number, transactional = false): number {
  const blocks = Math.max(1, Math.ceil(bytes / 1024));
  return transactional ? 2 * blocks : blocks;
}
