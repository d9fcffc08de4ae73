// CVSS of the starter data: the vectors NVD publishes for each CVE (metrics of the NVD CVE API 2.0
// record, source nvd@nist.gov, as of 2025), scored by our own calculator so an NVD import agrees.

import { AppError } from '../../core/errors.js';
import type { CvssScore } from '../../model/vulnerability.js';
import { scoreVector } from '../cvss-score.js';

export const NVD_SOURCE = 'nvd@nist.gov';

/** Scores as NVD lists them; a vector our calculator rejects is our bug, caught by the starter-data test. */
export function nvdCvss(...vectors: string[]): CvssScore[] {
  return vectors.map((vector) => {
    const r = scoreVector(vector, NVD_SOURCE);
    if (!r.ok) throw new AppError('VIGIL_ERR_INTERNAL', `starter data: bad CVSS vector ${vector}: ${r.error}`);
    return r.value;
  });
}
