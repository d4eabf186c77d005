/**
 * A key's value only when the object itself has it: user-given names (config keys, template variables,
 * providers, models) such as "constructor" or "__proto__" must not find what every JavaScript object has.
 */
export function own<T>(o: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}
