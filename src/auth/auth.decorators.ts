import { SetMetadata } from '@nestjs/common';

export const ACCESS_KEY = 'switchboard:access';
export type Access = 'public' | 'admin' | 'metrics';

/** Open without a key (health probes). */
export const Public = () => SetMetadata(ACCESS_KEY, 'public' satisfies Access);
/** Master key only (admin REST endpoints). */
export const AdminOnly = () => SetMetadata(ACCESS_KEY, 'admin' satisfies Access);
/** Public unless general_settings.metrics_require_auth is set; then master key only. */
export const MetricsAccess = () => SetMetadata(ACCESS_KEY, 'metrics' satisfies Access);

export const INFERENCE_KEY = 'switchboard:inference';
/**
 * A controller whose routes call a model: after authentication its requests are admitted
 * against the key's budget and limits and get a usage meter (KeyAdmissionService).
 */
export const Inference = () => SetMetadata(INFERENCE_KEY, true);
