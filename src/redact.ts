/**
 * Hides credentials that commonly leak into driver and POS error texts (URLs with a password,
 * key=value strings, bearer tokens). Used by the API on its way out and by the logger on every line.
 */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s]*@/gi, '$1***@')
    .replace(/\b(password|pwd|passwd|secret|client_secret|access_token|refresh_token|api[_-]?key|token)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;&,"]+)/gi, '$1$2***')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***');
}
