/**
 * Every stored item kind carries a schema version. When a kind's schema changes, its fingerprint
 * changes: bump its version (with a compatibility note next to the constant) and record the new
 * fingerprint here. Never edit an old one.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { caseItemKinds } from '../../shared/cases/model.ts';
import { complaintItemKinds } from '../../shared/complaints/model.ts';
import { directoryItemKinds } from '../../shared/directory/model.ts';
import { knowledgeItemKinds } from '../../shared/knowledge/model.ts';
import { measureItemKinds } from '../../shared/measures/model.ts';
import { partsItemKinds } from '../../shared/parts/model.ts';
import { slaItemKinds } from '../../shared/sla/model.ts';
import { counterKind } from '../../shared/store/counter.ts';
import { surveyItemKinds } from '../../shared/surveys/model.ts';
import { warrantyItemKinds } from '../../shared/warranty/model.ts';
import { schemaFingerprint as fingerprint } from '../support/schema-fingerprint.ts';

const known: Record<string, Record<number, string>> = {
  Case: {
    1: 'a322e964857c578e',
    2: '32d0c5813d7feb6a',
    3: '5c20730c20961d0b',
    4: '4d91272fd43767fe',
    5: '95137a7854bfc3d7',
    6: '7f152d7246d8a164',
  },
  TimelineEntry: { 1: 'b6b094bbb0274356', 2: '87184688dbbe188c' },
  RegisterEntry: { 1: 'cc8241e55cf70ee5' },
  IdempotencyRecord: { 1: '1b8e6b8ff357afbc' },
  Counter: { 1: 'c9427ed49449a4b2' },
  SlaMilestone: { 1: '5734b614fdd2a1dd' },
  SlaEscalation: { 1: 'f520d7eb5720fda7' },
  DispatchQueueEntry: { 1: 'fcd2c11effac764a', 2: '25991e731aeda143' },
  TechnicianJob: { 1: '3f70f285bc13800a' },
  TechnicianLoad: { 1: '3621620c824d1f56' },
  BranchCalendar: { 1: '1a79aa2d04eede0d', 2: 'ec4ca855a3bf859a' },
  SlaPolicy: { 1: 'e3386fceceb8d4c7', 2: 'c1f7beb04b51afe7', 3: '4a26b8594c60ede9' },
  SlaMilestoneMet: { 1: 'e76af08e9e25b3ad' },
  SurveyCard: { 1: 'd39a0320e5aabacd', 2: 'fdf3da5f9f8ce228' },
  SurveyReply: { 1: '2ffcb46b44b7b7e8' },
  SurveyCaseGuard: { 1: '4926dca2b4c2c098' },
  SurveyAnswerEvent: { 1: '5539b5e00b8eff53' },
  SurveySentEvent: { 1: 'a1a36a296ee13871' },
  Complaint: { 1: 'a5237e7aa59bcbf5', 2: '9d9fab26a464288f' },
  Task: { 1: '3e1f6d9a11ffcdbd' },
  ComplaintStep: { 1: 'b93aec2353e1cb78' },
  ComplaintTimelineEntry: { 1: 'd453a9371d87b53e' },
  ComplaintStepEscalation: { 1: 'c70b205030fd35e7' },
  ComplaintLibraryEntry: { 1: '4f654b93e9bf0633' },
  ComplaintSettings: { 1: '9d6c3065211f77a7' },
  Branch: { 1: 'fedfae71d29e0d9a' },
  Staff: { 1: 'ad7e8d9f487bd537' },
  Customer: { 1: '62b0ed2cc6356b7e' },
  PhoneClaim: { 1: 'bdf075e1404ecf78' },
  ProductUnit: { 1: '9d5811bc214430bb', 2: '62149bdd1a6e19d4' },
  DirectoryChange: { 1: '83215cf81eef5ef8' },
  KnowledgeEntry: { 1: 'fce0501fe5be3b37' },
  KnowledgeAlias: { 1: 'aef47b21aebdc640' },
  KnowledgeVersion: { 1: 'd27e842e416f8a67' },
  KnowledgeMarker: { 1: 'ecdc13996f1540dc' },
  KnowledgeStats: { 1: 'cafe2d025626667d' },
  KnowledgeDay: { 1: '1828ea345ab55c10' },
  DayMeasure: { 1: '4d4ac5f5860ca975' },
  MeasureMarker: { 1: '3b8a515a38ea5b9f' },
  TechnicianNote: { 1: 'b6f8472afc72c169' },
  DailyReport: { 1: 'dfd99a7429ad4979' },
  Part: { 1: 'd8eef43539aa50ba' },
  StockLocation: { 1: '044ba5102c9e0594' },
  StockItem: { 1: '486d74a127bb8f69' },
  LedgerEntry: { 1: '2cee4fd4359d24cc' },
  Movement: { 1: '9862665a12ec2e9c' },
  Requisition: { 1: 'b58372d2cde03224' },
  CountSession: { 1: 'a3599a15b6e709aa' },
  CountLine: { 1: 'af7e5e449377525f' },
  PurchaseSuggestion: { 1: '22ce723442413970' },
  PurchaseRequest: { 1: 'af59c3e145361d56' },
  Tool: { 1: 'bc257073821b22d7' },
  ToolHistoryEntry: { 1: '179261d126df4b47' },
  CasePartsUse: { 1: 'b5045937988a370c', 2: 'f59374360d81f80f' },
  CaseLoanerGuard: { 1: '9e1e5584cd78fcfd' },
  WarrantyTerms: { 1: 'cb1ab6438af3f9ba' },
  WarrantyPromotion: { 1: '54e19bc93c22e3c4' },
  ReturnRules: { 1: 'c36d38b9658f8d29' },
  MaintenanceContract: { 1: 'd85a8af1a7951be6' },
  ContractLink: { 1: '6e891da5aadbb8cf' },
  ContractChange: { 1: 'b569dcecab083163' },
  RenewalNotice: { 1: '60cddf26cfdaf014' },
  RenewalTask: { 1: 'bf3751fe825e17ff' },
  Invoice: { 1: '01e56bd1284ccc99' },
  ContractVisit: { 1: 'e41af50a79a56f04' },
  CourtesyCall: { 1: 'c19769b16cd8e6a4' },
  ReturnRequest: { 1: 'c5e0d9dee372425f' },
  ReturnChange: { 1: '0f9527fef900b4f5' },
};

const kinds = [
  ...caseItemKinds,
  counterKind,
  ...slaItemKinds,
  ...surveyItemKinds,
  ...complaintItemKinds,
  ...directoryItemKinds,
  ...knowledgeItemKinds,
  ...measureItemKinds,
  ...partsItemKinds,
  ...warrantyItemKinds,
];

describe('stored schema versions', () => {
  it.each(kinds.map((k) => [k.entity, k] as const))(
    'bumps the %s version whenever its stored schema changes',
    (_entity, kind) => {
      expect({ version: kind.version, fingerprint: fingerprint(kind.schema) }).toEqual({
        version: kind.version,
        fingerprint: known[kind.entity]?.[kind.version],
      });
    },
  );

  it('knows every stored kind, each once', () => {
    expect(kinds.map((k) => k.entity).sort()).toEqual(Object.keys(known).sort());
  });

  it('writes each kind with its entity name and version, as its schema reads them', () => {
    for (const kind of kinds) {
      const header = z.parse(z.pick(kind.schema as z.ZodMiniObject, { entity: true, schemaVersion: true }), {
        entity: kind.entity,
        schemaVersion: kind.version,
      });
      expect(header).toEqual({ entity: kind.entity, schemaVersion: kind.version });
    }
  });
});
