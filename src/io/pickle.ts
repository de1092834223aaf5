/**
 * A restricted Python unpickler (protocols 0..5, binary opcodes plus the few
 * text ones). It never imports or runs anything itself: GLOBAL/STACK_GLOBAL go
 * through `hooks.findGlobal`, which returns a `PyGlobal` from an allow-list or
 * throws, and REDUCE/NEWOBJ may only call such `PyGlobal`s. So a pickle that
 * names e.g. `os.system` fails at the GLOBAL opcode, before any call happens.
 *
 * Value mapping: None -> null, bool -> boolean, int -> number (bigint when
 * beyond 2^53), float -> number, str -> string, bytes -> Uint8Array,
 * list/tuple -> array (tuples frozen), dict -> Map, set -> Set.
 */

/** An allowed Python global: the only thing REDUCE/NEWOBJ may call. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    /** Called by REDUCE/NEWOBJ with the argument tuple; undefined = not callable (a type marker). */
    readonly call?: (args: readonly unknown[]) => unknown,
  ) {}
  get qualname(): string { return `${this.module}.${this.name}`; }
}

export interface UnpickleHooks {
  /** Resolves `module.name` to a `PyGlobal` or a plain value; must throw to refuse. */
  findGlobal(module: string, name: string): unknown;
  /** Resolves a BINPERSID/PERSID id (torch uses it for tensor storages). */
  persistentLoad?(pid: unknown): unknown;
}

const MARK = Symbol('mark');
/** Longest INT/LONG text literal accepted, as Python's default int_max_str_digits. */
const MAX_INT_DIGITS = 4300;
const td = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/**
 * Runs the pickle in `bytes` and returns the top object. `source` names the
 * file in error messages.
 */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source: string): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (msg: string): Error => new Error(`unpickle ${source}: ${msg}`);
  let pos = 0;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) throw fail(`truncated at byte ${pos} (wanted ${n} more)`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => dv.getUint16(need(2), true);
  const u32 = () => dv.getUint32(need(4), true);
  const u64 = () => Number(dv.getBigUint64(need(8), true)); // need() rejects absurd lengths
  const take = (n: number) => { const at = need(n); return bytes.subarray(at, at + n); };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail(`truncated text line at byte ${pos}`);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (!stack.length) throw fail(`stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (!stack.length) throw fail(`stack underflow at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) throw fail(`no MARK on the stack at byte ${pos}`);
    stack = prev;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw fail(`memo key ${i} not found`);
    return memo.get(i);
  };
  const callGlobal = (fn: unknown, args: unknown, op: string): unknown => {
    if (!(fn instanceof PyGlobal) || !fn.call) throw fail(`${op} on a non-callable ${describe(fn)}`);
    if (!Array.isArray(args)) throw fail(`${op} arguments for ${fn.qualname} are not a tuple`);
    return fn.call(args);
  };
  const setItems = (dict: unknown, kv: unknown[]) => {
    if (!(dict instanceof Map)) throw fail(`SETITEM(S) on ${describe(dict)}`);
    for (let i = 0; i + 1 < kv.length; i += 2) dict.set(kv[i], kv[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list) || Object.isFrozen(list)) throw fail(`APPEND(S) on ${describe(list)}`);
    list.push(...items);
  };
  const intOf = (n: bigint): number | bigint => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);
  // Linear in the length: BigInt parses hex in one pass (shifting in byte by byte was quadratic:
  // a 256 KiB LONG4 took most of a minute).
  const longLE = (b: Uint8Array): number | bigint => {
    if (!b.length) return 0;
    const hex = Buffer.from(b).reverse().toString('hex');
    let n = BigInt(`0x${hex}`);
    if (b[b.length - 1] & 0x80) n -= 1n << BigInt(8 * b.length);
    return intOf(n);
  };
  const textInt = (s: string): number | bigint | boolean => {
    if (s === '01') return true;
    if (s === '00') return false;
    // Python itself refuses to parse more digits than this (sys.int_info.default_max_str_digits).
    if (s.length > MAX_INT_DIGITS + 2) throw fail(`INT/LONG literal of ${s.length} characters is over the ${MAX_INT_DIGITS}-digit limit`);
    if (!/^[+-]?\d+L?$/.test(s)) throw fail(`bad INT/LONG literal '${s.slice(0, 40)}'`);
    return intOf(BigInt(s.replace(/L$/, '')));
  };

  let opAt = 0;
  let op = 0;
  try {
    for (;;) {
      opAt = pos;
      op = u8();
      switch (op) {
        case 0x80: u8(); break; // PROTO
        case 0x95: u64(); break; // FRAME: only a read-ahead hint
        case 0x2e: { // STOP
          const v = pop();
          return v;
        }
        case 0x28: marks.push(stack); stack = []; break; // MARK
        case 0x30: pop(); break; // POP
        case 0x31: popMark(); break; // POP_MARK
        case 0x32: stack.push(top()); break; // DUP
        case 0x4e: stack.push(null); break; // NONE
        case 0x88: stack.push(true); break; // NEWTRUE
        case 0x89: stack.push(false); break; // NEWFALSE
        case 0x4a: stack.push(dv.getInt32(need(4), true)); break; // BININT
        case 0x4b: stack.push(u8()); break; // BININT1
        case 0x4d: stack.push(u16()); break; // BININT2
        case 0x8a: stack.push(longLE(take(u8()))); break; // LONG1
        case 0x8b: stack.push(longLE(take(u32()))); break; // LONG4
        case 0x49: stack.push(textInt(line())); break; // INT
        case 0x4c: stack.push(textInt(line())); break; // LONG
        case 0x47: stack.push(dv.getFloat64(need(8), false)); break; // BINFLOAT is big-endian
        case 0x46: stack.push(parseFloat(line())); break; // FLOAT
        case 0x58: stack.push(td.decode(take(u32()))); break; // BINUNICODE
        case 0x8c: stack.push(td.decode(take(u8()))); break; // SHORT_BINUNICODE
        case 0x8d: stack.push(td.decode(take(u64()))); break; // BINUNICODE8
        case 0x54: stack.push(latin1.decode(take(dv.getInt32(need(4), true)))); break; // BINSTRING (py2 str)
        case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
        case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
        case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
        case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
        case 0x96: stack.push(take(u64()).slice()); break; // BYTEARRAY8
        case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
        case 0x5d: stack.push([]); break; // EMPTY_LIST
        case 0x29: stack.push(Object.freeze([])); break; // EMPTY_TUPLE
        case 0x8f: stack.push(new Set()); break; // EMPTY_SET
        case 0x90: { // ADDITEMS
          const items = popMark();
          const set = top();
          if (!(set instanceof Set)) throw fail(`ADDITEMS on ${describe(set)}`);
          for (const it of items) set.add(it);
          break;
        }
        // popMark() swaps `stack`, so take its result before touching `stack` (not stack.push(popMark())).
        case 0x91: { const items = popMark(); stack.push(Object.freeze(new Set(items))); break; } // FROZENSET
        case 0x74: { const items = popMark(); stack.push(Object.freeze(items)); break; } // TUPLE
        case 0x85: stack.push(Object.freeze([pop()])); break; // TUPLE1
        case 0x86: { const b = pop(); const a = pop(); stack.push(Object.freeze([a, b])); break; } // TUPLE2
        case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(Object.freeze([a, b, c])); break; } // TUPLE3
        case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
        case 0x64: { const kv = popMark(); const d = new Map(); setItems(d, kv); stack.push(d); break; } // DICT
        case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
        case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
        case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
        case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
        case 0x71: memo.set(u8(), top()); break; // BINPUT
        case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
        case 0x70: memo.set(Number(line()), top()); break; // PUT
        case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
        case 0x68: stack.push(memoGet(u8())); break; // BINGET
        case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
        case 0x67: stack.push(memoGet(Number(line()))); break; // GET
        case 0x63: { const mod = line(); const name = line(); stack.push(hooks.findGlobal(mod, name)); break; } // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const name = pop();
          const mod = pop();
          if (typeof mod !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings');
          stack.push(hooks.findGlobal(mod, name));
          break;
        }
        case 0x52: { const args = pop(); const fn = pop(); stack.push(callGlobal(fn, args, 'REDUCE')); break; } // REDUCE
        case 0x81: { const args = pop(); const cls = pop(); stack.push(callGlobal(cls, args, 'NEWOBJ')); break; } // NEWOBJ
        case 0x92: { // NEWOBJ_EX
          const kwargs = pop();
          const args = pop();
          const cls = pop();
          if (!(kwargs instanceof Map) || kwargs.size) throw fail('NEWOBJ_EX with keyword arguments is not supported');
          stack.push(callGlobal(cls, args, 'NEWOBJ_EX'));
          break;
        }
        case 0x62: { // BUILD: only plain state on containers/tensors, which we drop (e.g. OrderedDict._metadata)
          const state = pop();
          const obj = top();
          if (!isBuildable(obj)) throw fail(`BUILD on ${describe(obj)} is not allowed`);
          void state;
          break;
        }
        case 0x51: { // BINPERSID
          const pid = pop();
          if (!hooks.persistentLoad) throw fail('persistent ids are not supported here');
          stack.push(hooks.persistentLoad(pid));
          break;
        }
        case 0x50: { // PERSID
          const pid = line();
          if (!hooks.persistentLoad) throw fail('persistent ids are not supported here');
          stack.push(hooks.persistentLoad(pid));
          break;
        }
        default:
          throw fail(`unsupported or disallowed opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt}`);
      }
    }
  } catch (err) {
    // Errors of ours and of the hooks name the file; anything else (a TypeError from a
    // container built from the wrong kind of value, a failed allocation) gets the file and place.
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.includes(source)) throw err;
    throw fail(`${msg} (opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt})`);
  }
}

/** Objects whose BUILD state we can safely ignore. */
function isBuildable(obj: unknown): boolean {
  if (obj instanceof Map) return true; // OrderedDict attributes
  return typeof obj === 'object' && obj !== null && 'dtype' in obj && 'shape' in obj && 'data' in obj; // tensor with python attrs
}

function describe(v: unknown): string {
  if (v instanceof PyGlobal) return v.qualname;
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'a tuple' : 'a list';
  if (v instanceof Map) return 'a dict';
  return typeof v;
}
