/**
 * A small, realistic demo directory for the local system (`npm run seed`) and the README walkthrough:
 * two branches, their staff with certificates and skills, customers and their product units. It is
 * written through the directory service (the same rules as the API), as the seeding manager; running it
 * again changes nothing that is already there.
 */
import type { Actor } from '../../shared/auth/actor.ts';
import type { BranchInput, CustomerInput, StaffInput, UnitInput } from '../../shared/directory/model.ts';
import {
  type DirectoryDeps,
  putBranch,
  putStaff,
  registerCustomer,
  registerUnit,
} from '../../shared/directory/service.ts';
import type { SlaPolicyInput } from '../../shared/sla/policy.ts';

/** Who the seed acts as on every record's history. */
export const SEED_ACTOR: Actor = { sub: 'seed', roles: ['manager'], name: 'Demo seed' };

export interface DirectorySeed {
  branches: Array<{ id: string } & BranchInput>;
  staff: Array<{ id: string } & Omit<StaffInput, 'skills' | 'certificates' | 'active'> & Partial<StaffInput>>;
  customers: Array<
    { id: string } & Omit<CustomerInput, 'language' | 'surveyConsent'> & Partial<CustomerInput>
  >;
  units: Array<Omit<UnitInput, 'components'> & Partial<UnitInput>>;
  /** SLA escalation contacts per branch: staff ids (their e-mail comes from the directory) or addresses. */
  escalationContacts?: Record<string, NonNullable<SlaPolicyInput['escalationContacts']>>;
}

const certified = (expiresOn: string) => [
  { name: '制冷设备维修上岗证 (refrigeration service licence)', number: 'ZL-2024', expiresOn },
];

export const demoDirectory: DirectorySeed = {
  branches: [
    {
      id: 'main',
      name: '杭州服务中心 Hangzhou service centre',
      timezone: 'Asia/Shanghai',
      zones: [
        { name: '西湖区 Xihu', kind: 'urban' },
        { name: '上城区 Shangcheng', kind: 'urban' },
        { name: '余杭区 Yuhang', kind: 'suburban' },
      ],
      address: '杭州市西湖区文三路 90 号',
    },
    {
      id: 'ningbo',
      name: '宁波服务网点 Ningbo outlet',
      timezone: 'Asia/Shanghai',
      zones: [
        { name: '海曙区 Haishu', kind: 'urban' },
        { name: '奉化区 Fenghua', kind: 'suburban' },
      ],
    },
  ],
  staff: [
    {
      id: 'm-sun',
      name: '孙强 Sun Qiang',
      email: 'sun.qiang@aftercare.example',
      branchId: 'main',
      roles: ['manager'],
    },
    {
      id: 'd-wang',
      name: '王建国 Wang Jianguo',
      email: 'wang.jianguo@aftercare.example',
      phone: '+86 571 8800 0101',
      branchId: 'main',
      roles: ['dispatcher'],
    },
    {
      id: 'a-zhao',
      name: '赵丽 Zhao Li',
      email: 'zhao.li@aftercare.example',
      branchId: 'main',
      roles: ['agent'],
    },
    {
      id: 't-li',
      name: '李伟 Li Wei',
      phone: '+86 139 0571 0001',
      email: 'li.wei@aftercare.example',
      branchId: 'main',
      roles: ['technician'],
      skills: ['air-conditioner', 'water-heater'],
      certificates: certified('2030-12-31'),
    },
    {
      id: 't-zhang',
      name: '张敏 Zhang Min',
      phone: '+86 139 0571 0002',
      branchId: 'main',
      roles: ['technician'],
      skills: ['air-conditioner'],
      // Lapsed: assigning Zhang Min is refused until the licence is renewed.
      certificates: certified('2025-06-30'),
    },
    {
      id: 't-chen',
      name: '陈刚 Chen Gang',
      phone: '+86 139 0574 0003',
      branchId: 'ningbo',
      roles: ['technician'],
      skills: ['air-conditioner', 'water-heater'],
      certificates: certified('2030-12-31'),
    },
    {
      id: 'p-he',
      name: '何芳 He Fang',
      // Stock alerts go to the branch's parts clerks by e-mail.
      email: 'he.fang@aftercare.example',
      branchId: 'main',
      roles: ['parts_clerk'],
    },
    { id: 'o-ops', name: '运维 Ops desk', branchId: 'main', roles: ['ops'] },
  ],
  customers: [
    {
      id: 'C-1001',
      name: '刘洋 Liu Yang',
      addresses: [{ label: 'home', address: '杭州市西湖区文三路 88 号 3 单元 501', zone: 'urban' }],
      phones: ['+86 138 0571 1001'],
      email: 'liu.yang@example.com',
    },
    {
      id: 'C-1002',
      name: 'Emma Smith',
      addresses: [{ label: 'office', address: '余杭区良渚街道 12 号 Liangzhu, Yuhang', zone: 'suburban' }],
      phones: ['+86 138 0571 1002'],
      email: 'emma.smith@example.com',
      language: 'en',
    },
    {
      id: 'C-1003',
      name: '陈晓 Chen Xiao',
      addresses: [{ address: '宁波市海曙区中山西路 6 号', zone: 'urban' }],
      phones: ['+86 138 0574 1003'],
    },
  ],
  units: [
    {
      serialNumber: 'AC32-0001234',
      model: 'AC-3200 split air conditioner',
      productLine: 'air-conditioner',
      ownerId: 'C-1001',
      purchaseDate: '2025-05-20',
      installedOn: '2025-05-28',
      warrantyMonths: 12,
      components: [
        { name: 'Compressor', partNumber: 'CMP-32', serialNumber: 'CMP32-88123', warrantyMonths: 36 },
        { name: 'Control board', partNumber: 'PCB-7', warrantyMonths: 12 },
      ],
    },
    {
      serialNumber: 'WH60-0000871',
      model: 'WH-60 water heater',
      productLine: 'water-heater',
      ownerId: 'C-1001',
      purchaseDate: '2023-03-02',
      warrantyMonths: 12,
    },
    {
      serialNumber: 'AC32-0005678',
      model: 'AC-3200 split air conditioner',
      productLine: 'air-conditioner',
      ownerId: 'C-1002',
      purchaseDate: '2026-01-15',
      warrantyMonths: 12,
    },
    {
      serialNumber: 'AC45-0000042',
      model: 'AC-4500 cassette air conditioner',
      productLine: 'air-conditioner',
      ownerId: 'C-1003',
      purchaseDate: '2021-07-01',
      warrantyMonths: 12,
    },
  ],
  escalationContacts: {
    main: {
      dispatcher: [{ staffId: 'd-wang' }],
      supervisor: [{ staffId: 'd-wang' }],
      manager: [{ staffId: 'm-sun' }, 'service-leads@aftercare.example'],
    },
  },
};

export interface SeedReport {
  created: string[];
  kept: string[];
}

/**
 * Writes `seed` through the directory service; records already there are kept as they are (a second run
 * reports them as kept).
 */
export async function seedDirectory(
  deps: DirectoryDeps,
  seed: DirectorySeed,
  actor: Actor = SEED_ACTOR,
): Promise<SeedReport> {
  const report: SeedReport = { created: [], kept: [] };
  const once = async (label: string, exists: () => Promise<unknown>, create: () => Promise<unknown>) => {
    if (await exists()) report.kept.push(label);
    else {
      await create();
      report.created.push(label);
    }
  };
  for (const { id, ...b } of seed.branches)
    await once(
      `branch ${id}`,
      () => deps.store.getBranch(id),
      () => putBranch(deps, actor, id, b),
    );
  for (const { id, ...s } of seed.staff)
    await once(
      `staff ${id}`,
      () => deps.store.getStaff(id),
      () => putStaff(deps, actor, id, s),
    );
  for (const { id, ...c } of seed.customers)
    await once(
      `customer ${id}`,
      () => deps.store.getCustomer(id),
      () => registerCustomer(deps, actor, c, { id }),
    );
  for (const u of seed.units)
    await once(
      `unit ${u.serialNumber}`,
      () => deps.store.getUnit(u.serialNumber),
      () => registerUnit(deps, actor, u),
    );
  return report;
}
