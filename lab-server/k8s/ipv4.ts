/** IPv4 addresses and CIDRs as the network model and the linter need them. */
export interface Cidr {
  address: number;
  prefix: number;
  text: string;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIPv4(match[1] ?? '');
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix, text };
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  if (cidr.prefix === 0) return true;
  const size = 2 ** (32 - cidr.prefix);
  return Math.floor(cidr.address / size) === Math.floor(address / size);
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
