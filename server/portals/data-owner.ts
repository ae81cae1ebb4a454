/** Anything that keeps per-portal data; the uninstall with "clear data" asks each of them to forget a portal. */
export interface PortalDataOwner {
  purgePortal(memberId: string): Promise<void>;
}
