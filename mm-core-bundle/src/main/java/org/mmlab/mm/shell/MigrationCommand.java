package org.mmlab.mm.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.mm.admin.GuestViews;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * mm:migration: page migration's counters and the registry of movable-page owners. A method, not a
 * Gogo Function named "migrate-stats" as it was: Gogo's help lists only commands that are methods,
 * and a method's name cannot have a hyphen.
 */
@Component(service = MigrationCommand.class)
@GogoCommand(scope = "mm", function = {"migration"})
public class MigrationCommand {
    private final GuestViews views;

    @Activate
    public MigrationCommand(@Reference GuestViews views) {
        this.views = views;
    }

    @Descriptor("show page migration's and compaction's counters, the contract in force, the pages isolated now"
            + " and who owns which movable pages")
    public void migration() {
        System.out.print(views.show(GuestViews.View.MIGRATION));
    }
}
