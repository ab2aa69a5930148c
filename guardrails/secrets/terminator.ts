// gitleaks' token terminator and the one Tollgate compiles in its place: one module, read by the ruleset (the
// rewrite) and by the match gates (a gate holds only while a rule's pattern ends with it).

/** gitleaks' trailing terminator: after the token, one backtick, quote, space or `;`, an escaped \\n or \\r, or the end. */
export const TERMINATOR = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;

/**
 * The terminator as compiled: also `&` (the next URL query parameter), `,` `)` `}` `]` (a list, a call, an object),
 * `|` (a table cell), sentence punctuation `.` `!` `?` `:`, `<` `>` (`<sk_live_…>`, a tag after it), `#` `%` `@` (a
 * fragment, an escape, `key@host`), `*` `~` (emphasis) and `$` `^` — gitleaks scans files, where a token mostly ends a
 * line; model output puts tokens in sentences (`Use sk_live_….`), URLs (`?api_key=…&limit=20`), calls and tables. A
 * token may now end before one of them; no match gets longer. Where a rule's body takes one of them (`.` in
 * [\w.=-]), the longest body still comes first: it ends earlier only where it matched nothing before. Not `/`:
 * generic-api-key's first alternative would then take the part of a base64 secret before its first `/` (the
 * second alternative, which takes `/`, comes later), and `-` `_` `+` `=` continue a token.
 */
export const WIDE_TERMINATOR = String.raw`(?:[\x60'"\s;&,)}\]|.!?:<>*~#%@$^]|\\[nr]|$)`;
