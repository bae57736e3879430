/** Errors a dashboard page answers with, rendered as an HTML page by the plugin's error handler. */
export class DashboardError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'DashboardError';
  }
}

export const notFound = (message: string) => new DashboardError(404, message);
export const conflict = (message: string) => new DashboardError(409, message);
export const badRequest = (message: string) => new DashboardError(400, message);
