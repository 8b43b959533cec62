/**
 * Why a URL's host must not receive what the calendar-sync service sends it (Exchange
 * credentials), or undefined for an ordinary host. Hosts come from WHATWG URL parsing,
 * which already turns `0x7f.1` or `2130706433` into `127.0.0.1` and IPv6 into its
 * compressed, bracketed form. Pure code: the purchase schema runs this at checkout.
 */
export function internalHostReason(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) return ipv6Reason(host.slice(1, -1));
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return ipv4Reason(host.split('.').map(Number));
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.localdomain')) {
    return 'a loopback host';
  }
  // Cloud instance metadata services, and names that resolve only inside a network.
  if (
    ['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data'].includes(host) ||
    host.endsWith('.internal') ||
    host.endsWith('.local')
  ) {
    return 'a metadata or internal host';
  }
  return undefined;
}

function ipv4Reason([a, b]: number[]): string | undefined {
  if (a === 127 || a === 0) return 'a loopback address';
  if (a === 169 && b === 254) return 'a link-local or metadata address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) {
    return 'a private address';
  }
  if (a === 100 && b >= 64 && b <= 127) return 'a private address';
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (with a trailing dotted IPv4, if any). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const front = parse(head);
  const back = parse(tail);
  const missing = 8 - front.length - back.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...front, ...Array<number>(missing).fill(0), ...back];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function ipv6Reason(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups) return 'an address that is not valid';
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
  const zeroUpTo = (n: number) => groups.slice(0, n).every((g) => g === 0);
  if (zeroUpTo(7) && (g7 === 1 || g7 === 0)) return 'a loopback address';
  if ((g0 & 0xfe00) === 0xfc00) return 'a private address';
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
  // IPv4 carried in IPv6 (mapped ::ffff:a.b.c.d, or NAT64 64:ff9b::a.b.c.d) is that IPv4.
  const mapped = zeroUpTo(5) && g5 === 0xffff;
  const nat64 = g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (mapped || nat64) return ipv4Reason([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]);
  return undefined;
}
