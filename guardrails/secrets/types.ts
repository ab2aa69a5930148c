// The JSON shape of an adopted secret ruleset (gitleaks' config, converted by import-gitleaks.ts), and of the rules
// Tollgate ships on top of it (tollgate-rules.ts). Field meanings are gitleaks' own.

export interface GitleaksAllowlist {
  /** OR: any check allows the finding; AND: every check present must (a path or commit check never holds here). */
  condition: 'OR' | 'AND';
  /** What `regexes` are matched against: the secret (default), the whole match, or the line around it. */
  regexTarget: 'secret' | 'match' | 'line';
  regexes: string[];
  /** Case-insensitive substrings of the secret. */
  stopwords: string[];
  /** File-path and commit checks: meaningless for model output, kept for the record (see ruleset.ts). */
  paths: string[];
  commits: string[];
}

export interface GitleaksRule {
  id: string;
  description: string;
  /** Go regexp syntax (RE2). Absent for path-only rules. */
  regex?: string;
  /** Shannon entropy (bits per character) the secret must exceed. */
  entropy?: number;
  /** Capture group holding the secret; absent: the first non-empty group, or the whole match. */
  secretGroup?: number;
  /** Lower-case literals one of which must occur for the rule to run. */
  keywords: string[];
  /** File-path condition (the rule only applies to matching files). */
  path?: string;
  allowlists: GitleaksAllowlist[];
  /** Tollgate rules only: also apply this adopted rule's allowlists (e.g. its list of documented example keys). */
  allowlistsOf?: string;
}

export interface GitleaksConfig {
  source: {
    project: string;
    license: string;
    file: string;
    commit: string;
    version: string;
    title: string;
    minVersion: string;
  };
  allowlist: GitleaksAllowlist;
  rules: GitleaksRule[];
}
