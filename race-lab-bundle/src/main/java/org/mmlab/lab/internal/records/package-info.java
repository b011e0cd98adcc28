/**
 * Results a program can read: one JSON record a run and a summary record (JSON Lines), the split of a
 * campaign's runs into shards, and their merge. Private to the bundle; any command that runs a campaign
 * (lab:race, lab:explore, a storm) writes its records through these.
 */
package org.mmlab.lab.internal.records;
