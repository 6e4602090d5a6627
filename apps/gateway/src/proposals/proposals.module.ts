import { Module } from '@nestjs/common';
import { ProposalReviewRepository } from './proposal-review.repository';
import { ProposalsController } from './proposals.controller';
import { ProposalsService } from './proposals.service';

/** Wiring only: the proposals review API (controller), its logic (service) and its tables (repository). */
@Module({ controllers: [ProposalsController], providers: [ProposalsService, ProposalReviewRepository] })
export class ProposalsModule {}
