/**
 * @description Receives lead scoring requests. Runs as the user set in the
 * `Lead_Scoring_Request_Subscriber` PlatformEventSubscriberConfig (the integration user).
 * No logic here: `LeadScoringRequestHandler` decides what to do.
 */
trigger LeadScoringRequestTrigger on Lead_Scoring_Request__e(after insert) {
    new LeadScoringRequestHandler((List<Lead_Scoring_Request__e>) Trigger.new).run();
}
