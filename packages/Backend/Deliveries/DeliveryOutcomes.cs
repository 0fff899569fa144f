namespace Lightdash.Net.Backend.Deliveries;

/// <summary>How a delivery ended, decided from its targets' attempts.</summary>
/// <param name="Status"><c>delivered</c>, <c>partial</c> or <c>failed</c>.</param>
/// <param name="Error">Which targets were not delivered to, or null.</param>
public sealed record DeliveryOutcome(string Status, string? Error);

/// <summary>Decides a delivery's outcome once every target has settled (pure: attempts in, outcome out).</summary>
public static class DeliveryOutcomes
{
    /// <summary>
    /// The outcome, or null while a target has not settled: a target settles with a successful
    /// attempt, or when it has used its attempts (a webhook <paramref name="webhookAttempts"/>,
    /// S3 and email one).
    /// </summary>
    public static DeliveryOutcome? Decide(IReadOnlyList<SchedulerTarget> targets, IReadOnlyList<DeliveryAttemptRecord> attempts, int webhookAttempts)
    {
        var failed = new List<string>();
        for (var i = 0; i < targets.Count; i++)
        {
            var tries = attempts.Where(a => a.TargetIndex == i).ToList();
            if (tries.Any(a => a.Succeeded))
            {
                continue;
            }

            if (tries.Count < (targets[i].Type == "webhook" ? webhookAttempts : 1))
            {
                return null;
            }

            failed.Add($"{targets[i].Type} (target {i})");
        }

        return failed.Count == 0
            ? new DeliveryOutcome("delivered", null)
            : new DeliveryOutcome(failed.Count == targets.Count ? "failed" : "partial", $"Not delivered to: {string.Join(", ", failed)}; see the attempts.");
    }
}
