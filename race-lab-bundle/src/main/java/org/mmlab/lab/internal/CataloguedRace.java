package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;

/** A race whose catalogue entry is one {@link RaceMetadata} record: what lab:races says is read from it. */
abstract class CataloguedRace implements Race {
    private final RaceMetadata metadata;

    CataloguedRace(RaceMetadata metadata) {
        this.metadata = metadata;
    }

    RaceMetadata metadata() {
        return metadata;
    }

    @Override
    public final String name() {
        return metadata.name();
    }

    @Override
    public final String seed() {
        return metadata.seed();
    }

    @Override
    public final String quote() {
        return metadata.quote();
    }

    @Override
    public final Map<String, String> variants() {
        return metadata.variants();
    }

    @Override
    public final Setup fails() {
        return metadata.fails();
    }

    @Override
    public final List<Pass> passes() {
        return metadata.passes();
    }

    @Override
    public final List<String> threadNames() {
        return metadata.threadNames();
    }

    @Override
    public final String conditions() {
        return metadata.conditions();
    }

    @Override
    public final String script() {
        return metadata.script();
    }

    @Override
    public final String report() {
        return metadata.report();
    }
}
