import type { NextFunction, Request, Response } from 'express';

/** The UI and the API load nothing from elsewhere: scripts, styles, images and connections are same-origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/**
 * Swagger UI's page carries inline styles and data: images; it gets a policy that allows exactly those,
 * on its own path only.
 */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

export function securityHeaders(docsPath: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const isDocsPage = req.path === docsPath || req.path.startsWith(`${docsPath}/`);
    res.setHeader('Content-Security-Policy', isDocsPage ? DOCS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.removeHeader('X-Powered-By');
    next();
  };
}
