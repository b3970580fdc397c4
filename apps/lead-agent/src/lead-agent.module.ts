import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { EnvReader } from '@app/agent';
import { loadRoster, ROSTER } from './qualification/assignment';
import { LEAD_ENRICHER, OfflineEnricher } from './qualification/enrichment';
import { LeadsController } from './qualification/leads.controller';
import { QUALIFY_THRESHOLD, QualifyLead } from './qualification/qualify-lead';

const env = new EnvReader();

@Module({
  controllers: [LeadsController],
  providers: [
    QualifyLead,
    { provide: LEAD_ENRICHER, useClass: OfflineEnricher },
    { provide: ROSTER, useFactory: () => loadRoster(resolve(env.string('LEAD_ROSTER_FILE', 'config/lead-roster.yaml'))) },
    { provide: QUALIFY_THRESHOLD, useFactory: () => env.int('QUALIFY_THRESHOLD', 60, { min: 0, max: 100 }) },
  ],
})
export class LeadAgentModule {}
