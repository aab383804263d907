package dev.portico.http.headers;

import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code add_header} (or {@code add_trailer}) fields of one level, and the fields in force
 * there after nginx's merge, which depends on the inherit mode of each level: computed once,
 * when the whole configuration is read. A level without directives of its own shares its
 * parent's list through the slot; {@link #inForce} then applies the inherited mode.
 */
final class FieldList {
    private final Level level;
    private final Slot<FieldList> slot;
    private final Slot<InheritMode> modeSlot;
    private final List<HeaderField> own = new ArrayList<>();
    private Settings settings;
    private InheritMode mode;
    private List<HeaderField> effective;

    FieldList(Level level, Slot<FieldList> slot, Slot<InheritMode> modeSlot) {
        this.level = level;
        this.slot = slot;
        this.modeSlot = modeSlot;
    }

    void add(HeaderField f) {
        own.add(f);
    }

    /** The fields for a response whose location has the given settings. */
    static List<HeaderField> inForce(FieldList list, Settings settings) {
        if (list == null) {
            return List.of();
        }
        if (list.settings == settings || list.mode != InheritMode.OFF) {
            return list.effective;
        }
        return List.of();
    }

    /** Merges this level with the outer ones (nginx's ngx_http_headers_merge_conf, applied down the chain). */
    List<HeaderField> resolve() {
        if (effective == null) {
            settings = level.resolve();
            mode = settings.get(modeSlot);
            List<HeaderField> outer = atLevel(level.parent(), slot);
            List<HeaderField> mine = own.isEmpty() ? null : List.copyOf(own);
            if (mode == InheritMode.OFF || outer == null || outer.isEmpty()) {
                effective = mine == null ? List.of() : mine;
            } else if (mine == null) {
                effective = outer;
            } else if (mode == InheritMode.MERGE) {
                List<HeaderField> all = new ArrayList<>(mine);
                all.addAll(outer);
                effective = List.copyOf(all);
            } else {
                effective = mine;
            }
        }
        return effective;
    }

    /** The fields in force at a level that may have no directives of its own. */
    private static List<HeaderField> atLevel(Level l, Slot<FieldList> slot) {
        for (Level a = l; a != null; a = a.parent()) {
            FieldList f = a.getOwn(slot);
            if (f != null) {
                List<HeaderField> eff = f.resolve();
                return a == l || f.mode != InheritMode.OFF ? eff : null;
            }
        }
        return null;
    }
}
