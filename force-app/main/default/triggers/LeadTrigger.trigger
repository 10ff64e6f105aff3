/**
 * @description Lead trigger. No logic here: `LeadTriggerHandler` decides what to do.
 */
trigger LeadTrigger on Lead(before insert, before update, after insert, after update) {
    new LeadTriggerHandler().run();
}
