import { z } from 'zod';
import { idParam } from '../domain/ids';

/** Path parameters of the tenant routes. */
export const tenantParams = z.object({ tenantId: idParam });
export const tenantUserParams = z.object({ tenantId: idParam, userId: idParam });
