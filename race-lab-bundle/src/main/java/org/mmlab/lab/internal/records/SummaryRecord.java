package org.mmlab.lab.internal.records;

import java.util.Map;

/**
 * The last record of a command's file: what its text's last lines say. lab:merge reads {@code campaign},
 * {@code shard} and {@code runs} to say when a shard is missing.
 *
 * @param type       "summary"
 * @param command    the command as it ran (with --shard)
 * @param shard      "I/N": this file's shard of the campaign ("0/1": all of it)
 * @param runs       the campaign's runs, all shards together
 * @param ran        this shard's runs
 * @param outcomes   runs by outcome (clean, reproduced, other-reports, failed)
 * @param reproduced runs that reproduced the race's report; null for storms, which have no race to reproduce
 * @param windows    lab:race: whether the script's window opened; null otherwise
 * @param verdict    lab:race: whether that is what lab:races says of the setup; null otherwise
 * @param time       where the batch's time went
 */
public record SummaryRecord(String type, String campaign, String command, String shard, int runs, int ran,
        Map<String, Integer> outcomes, Integer reproduced, String windows, String work, String verdict, String time) {

    /** The same, with where the batch's time went (known once it has ended). */
    public SummaryRecord timed(String times) {
        return new SummaryRecord(type, campaign, command, shard, runs, ran, outcomes, reproduced, windows, work,
                verdict, times);
    }
}
