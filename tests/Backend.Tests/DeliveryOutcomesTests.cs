using Lightdash.Net.Backend.Deliveries;

namespace Lightdash.Net.Backend.Tests;

/// <summary>When a delivery has settled, and how it ended: pure, no servers.</summary>
public class DeliveryOutcomesTests
{
    private static readonly SchedulerTarget Webhook = new("webhook", "https://example.com/hook", null, null, null);
    private static readonly SchedulerTarget S3 = new("s3", null, null, "reports", null);

    private static DeliveryAttemptRecord Try(int target, int attempt, bool succeeded) =>
        new() { TargetIndex = target, Attempt = attempt, Succeeded = succeeded, TargetType = target == 0 ? "webhook" : "s3" };

    [Test]
    public void Decide_AWebhookWithTriesLeft_IsNotSettled()
    {
        var outcome = DeliveryOutcomes.Decide([Webhook, S3], [Try(0, 1, false), Try(1, 1, true)], webhookAttempts: 4);

        Assert.That(outcome, Is.Null);
    }

    [Test]
    public void Decide_AWebhookThatSucceededOnALaterTry_IsDelivered()
    {
        var outcome = DeliveryOutcomes.Decide([Webhook, S3], [Try(0, 1, false), Try(0, 2, true), Try(1, 1, true)], webhookAttempts: 4);

        Assert.That(outcome, Is.EqualTo(new DeliveryOutcome("delivered", null)));
    }

    [Test]
    public void Decide_AWebhookOutOfTries_MakesItPartial_NamingTheTarget()
    {
        var outcome = DeliveryOutcomes.Decide([Webhook, S3], [.. Enumerable.Range(1, 4).Select(a => Try(0, a, false)), Try(1, 1, true)], webhookAttempts: 4);

        Assert.That(outcome!.Status, Is.EqualTo("partial"));
        Assert.That(outcome.Error, Does.Contain("webhook (target 0)").And.Not.Contain("s3"));
    }

    [Test]
    public void Decide_EveryTargetFailed_IsFailed()
    {
        Assert.That(DeliveryOutcomes.Decide([S3], [], webhookAttempts: 4), Is.Null, "no attempt yet");
        var outcome = DeliveryOutcomes.Decide([S3], [new DeliveryAttemptRecord { TargetIndex = 0, Attempt = 1, Succeeded = false, TargetType = "s3" }], webhookAttempts: 4);

        Assert.That(outcome!.Status, Is.EqualTo("failed"));
    }
}
