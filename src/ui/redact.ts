/** Secrets registered here are masked in everything we print or write. */
const secrets = new Set<string>();

export function registerSecret(s: string | undefined): void {
  if (s && s.length >= 4) secrets.add(s);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  // bearer tokens echoed back by servers, and a login written into a URL (a proxy's, a mirror's)
  return maskUserinfo(out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***'));
}

/** `http://user:pass@host/` → `http://***@host/`, wherever a URL is shown. */
export function maskUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@');
}
