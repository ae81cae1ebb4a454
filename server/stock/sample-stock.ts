/**
 * The sample app's own data behind the resource-scoped `stock` feature: warehouses, and items with a
 * quantity per warehouse. It stands in for what a real app keeps in its own database (or reads with
 * `catalog.store.list` given the `catalog` scope); the access rules over it are the real thing.
 * Follows Bitrix24 help "Inventory management: access permissions" (view and select chosen warehouses;
 * a document mixing warehouses shows only the allowed parts).
 */

export interface Warehouse {
  id: string;
  name: { en: string; ru: string };
}

export interface StockItem {
  sku: string;
  name: { en: string; ru: string };
  /** Warehouse id → quantity on hand. */
  quantities: Readonly<Record<string, number>>;
}

export const sampleWarehouses: readonly Warehouse[] = [
  { id: '1', name: { en: 'Main warehouse', ru: 'Основной склад' } },
  { id: '2', name: { en: 'North branch', ru: 'Северный филиал' } },
  { id: '3', name: { en: 'Showroom', ru: 'Шоурум' } },
];

export const sampleItems: readonly StockItem[] = [
  { sku: 'KB-100', name: { en: 'Keyboard', ru: 'Клавиатура' }, quantities: { '1': 40, '2': 12, '3': 2 } },
  { sku: 'MS-200', name: { en: 'Mouse', ru: 'Мышь' }, quantities: { '1': 75, '2': 30 } },
  { sku: 'MN-270', name: { en: '27" monitor', ru: 'Монитор 27"' }, quantities: { '1': 18, '3': 4 } },
  { sku: 'HS-310', name: { en: 'Headset', ru: 'Гарнитура' }, quantities: { '2': 25 } },
  { sku: 'DK-050', name: { en: 'Docking station', ru: 'Док-станция' }, quantities: { '1': 9, '2': 3, '3': 1 } },
  { sku: 'CB-001', name: { en: 'USB-C cable', ru: 'Кабель USB-C' }, quantities: { '1': 320 } },
];
