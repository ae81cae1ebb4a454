import DepartmentIcon from '@bitrix24/b24icons-vue/outline/DepartmentIcon';
import GroupIcon from '@bitrix24/b24icons-vue/outline/GroupIcon';
import PersonIcon from '@bitrix24/b24icons-vue/outline/PersonIcon';
import AlertIcon from '@bitrix24/b24icons-vue/outline/AlertIcon';
import StructureVerticalIcon from '@bitrix24/b24icons-vue/outline/StructureVerticalIcon';
import ThreePersonsIcon from '@bitrix24/b24icons-vue/outline/ThreePersonsIcon';
import type { IconComponent } from '@bitrix24/b24ui-nuxt';
import type { CodeKind } from '../../access/codes';

/** The icon of each kind of access code, as Bitrix24's access dialog tells them apart. */
export const KIND_ICONS: Record<CodeKind, IconComponent> = {
  user: PersonIcon,
  department: DepartmentIcon,
  departmentTree: StructureVerticalIcon,
  group: GroupIcon,
  allUsers: ThreePersonsIcon,
  unknown: AlertIcon,
};
