package org.mmlab.mm;

/**
 * One registration in the movable-page registry: who owns a mapping (2012, 2016) or a page type's
 * movable_ops (2025), how many pages carry it now, how many of those are isolated, and what
 * migration did with them since it was registered.
 *
 * @param bundle     the owning bundle's symbolic name
 * @param bundleId   the owning bundle's id
 * @param contract   the contract the registration belongs to
 * @param what       what was registered, e.g. "balloon mapping 0x3 (a_ops VirtioAops)" or "movable_ops offline (BalloonMops)"
 * @param pages      pages whose mapping (or type and PG_movable_ops) is this registration's now
 * @param isolated   of those, pages isolated for migration now
 * @param isolations successful isolations since registration
 * @param migrated   successful migrations of its pages (a page its owner released while isolated is freed, not counted here)
 * @param putBack    pages put back to the owner after migration gave up
 * @param released   the registration was undone (mapping freed, ops set to NULL) but is kept for the record
 */
public record MovableOwner(String bundle, long bundleId, MigrationContract contract, String what, long pages,
        long isolated, long isolations, long migrated, long putBack, boolean released) {
}
