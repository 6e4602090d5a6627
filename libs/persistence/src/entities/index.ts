import { FileEntity } from './file.entity';
import { FileHistoryEntity } from './file-history.entity';
import { FileStageStatusEntity } from './file-stage-status.entity';
import { ScanEntity } from './scan.entity';

export { FileEntity, FileHistoryEntity, FileStageStatusEntity, ScanEntity };
export type { ScanStatus } from './scan.entity';

/** Every entity of the system; each table's single writer is declared in @crateflow/contracts TABLE_OWNERS. */
export const ENTITIES = [FileEntity, ScanEntity, FileStageStatusEntity, FileHistoryEntity];
