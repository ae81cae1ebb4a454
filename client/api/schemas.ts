import { z } from 'zod'

// Response shapes of the Keycard server's /api/*. Objects are not strict: a field the server adds
// later is ignored rather than breaking the UI.

/** `{ "error": code, "message": text }`, the body of every non-2xx /api response. */
export const errorBodySchema = z.object({
  error: z.string().min(1),
  message: z.string()
})

/** GET /api/me */
export const meSchema = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    isAdmin: z.boolean().nullable()
  }),
  portal: z.object({
    domain: z.string(),
    memberId: z.string()
  }),
  lang: z.enum(['en', 'ru'])
})

export const featureRefSchema = z.object({
  key: z.string(),
  title: z.string()
})

export const scopeInfoSchema = z.object({
  code: z.string(),
  title: z.string(),
  description: z.string(),
  granted: z.boolean(),
  /** Features that use this scope (all of them are off while it is missing). */
  features: z.array(featureRefSchema)
})

export const unavailableFeatureSchema = z.object({
  key: z.string(),
  title: z.string(),
  missingScopes: z.array(z.string())
})

/** GET /api/scopes; texts are already localized by the server. */
export const scopesReportSchema = z.object({
  /** `stored`: the portal could not be asked just now; `granted` comes from the install. */
  source: z.enum(['portal', 'stored']),
  scopes: z.array(scopeInfoSchema),
  unavailableFeatures: z.array(unavailableFeatureSchema)
})

export type Me = z.infer<typeof meSchema>
export type FeatureRef = z.infer<typeof featureRefSchema>
export type ScopeInfo = z.infer<typeof scopeInfoSchema>
export type UnavailableFeature = z.infer<typeof unavailableFeatureSchema>
export type ScopesReport = z.infer<typeof scopesReportSchema>
