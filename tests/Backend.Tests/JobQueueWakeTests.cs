using Lightdash.Net.Backend.Queries.Execution;

namespace Lightdash.Net.Backend.Tests;

/// <summary>How an announced job wakes this instance's idle workers: one per announcement, of the queue named, the longest waiting first, never lost to a worker that took another job.</summary>
public class JobQueueWakeTests
{
    private static readonly string[] Interactive = Workloads.QueuesOf(WorkloadClass.Interactive);
    private static readonly string[] Batch = Workloads.QueuesOf(WorkloadClass.Batch);

    [Test]
    public void AnAnnouncement_WakesOneWorkerOfItsQueue_TheLongestWaiting()
    {
        var wake = new JobQueueWake();
        using var batch = wake.Register(Batch, CancellationToken.None);
        using var first = wake.Register(Interactive, CancellationToken.None);
        using var second = wake.Register(Interactive, CancellationToken.None);

        Assert.That(wake.Wake(Interactive[1]), Is.True);

        Assert.That((batch.Token.IsCancellationRequested, first.Token.IsCancellationRequested, second.Token.IsCancellationRequested), Is.EqualTo((false, true, false)));
        Assert.That(wake.Waiting, Is.EqualTo(2), "the woken worker no longer waits");
    }

    [Test]
    public void AnAnnouncement_NoWorkerHereServes_WakesNobody()
    {
        var wake = new JobQueueWake();
        using var batch = wake.Register(Batch, CancellationToken.None);

        Assert.That(wake.Wake(Interactive[0]), Is.False);
        Assert.That(wake.Wake("some-other-queue"), Is.False);
        Assert.That(batch.Token.IsCancellationRequested, Is.False);
    }

    [Test]
    public void AWorkerWokenWhileItTookAnotherJob_HandsTheWakeOn()
    {
        var wake = new JobQueueWake();
        var busy = wake.Register(Interactive, CancellationToken.None);
        using var idle = wake.Register(Interactive, CancellationToken.None);

        wake.Wake(Interactive[1]);
        busy.EndWithJob();
        busy.Dispose();

        Assert.That(idle.Token.IsCancellationRequested, Is.True, "the job announced is still looked for");
        Assert.That(wake.Waiting, Is.Zero);
    }

    [Test]
    public void AWorkerThatTookAJob_WithoutBeingWoken_WakesNobody()
    {
        var wake = new JobQueueWake();
        var busy = wake.Register(Interactive, CancellationToken.None);
        using var idle = wake.Register(Interactive, CancellationToken.None);

        busy.EndWithJob();
        busy.Dispose();

        Assert.That(idle.Token.IsCancellationRequested, Is.False);
        Assert.That(wake.Waiting, Is.EqualTo(1));
    }

    [Test]
    public void AfterMissedAnnouncements_EveryWaitingWorkerLooksAgain()
    {
        var wake = new JobQueueWake();
        using var batch = wake.Register(Batch, CancellationToken.None);
        using var interactive = wake.Register(Interactive, CancellationToken.None);

        wake.OnMissedNotifications();

        Assert.That((batch.Token.IsCancellationRequested, interactive.Token.IsCancellationRequested), Is.EqualTo((true, true)));
        Assert.That(wake.Waiting, Is.Zero);
    }

    [Test]
    public void AWaitThatEnded_IsNoLongerWoken()
    {
        var wake = new JobQueueWake();
        var ended = wake.Register(Interactive, CancellationToken.None);
        ended.Dispose();

        Assert.That(wake.Wake(Interactive[0]), Is.False);
        Assert.That(wake.Waiting, Is.Zero);
    }

    [Test]
    public void Shutdown_EndsTheWait()
    {
        var wake = new JobQueueWake();
        using var shutdown = new CancellationTokenSource();
        using var waiter = wake.Register(Interactive, shutdown.Token);

        shutdown.Cancel();

        Assert.That(waiter.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task WakesAndEndsFromManyThreads_NeverLoseAnAnnouncement()
    {
        // Forty workers take four hundred jobs, each announced once as it is queued. A worker looks for a
        // job after registering (as a fetch does) and otherwise waits for a wake: a lost announcement
        // would leave a job queued with every worker waiting, until the poll period.
        const int Workers = 40, Jobs = 400;
        var wake = new JobQueueWake();
        var gate = new object();
        var (queued, taken) = (0, 0);
        using var done = new CancellationTokenSource();
        bool TryTake()
        {
            lock (gate)
            {
                if (queued == 0)
                {
                    return false;
                }

                queued--;
                if (++taken == Jobs)
                {
                    done.Cancel();
                }

                return true;
            }
        }

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                using var waiter = wake.Register(Interactive, done.Token);
                if (TryTake())
                {
                    waiter.EndWithJob();
                    continue;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), waiter.Token);
                    Assert.Fail("a worker waited a whole poll period while a job was queued: an announcement was lost");
                }
                catch (OperationCanceledException)
                {
                }
            }
        })).ToList();

        for (var i = 0; i < Jobs; i++)
        {
            lock (gate)
            {
                queued++;
            }

            wake.Wake(Interactive[1]);
            if (i % 7 == 0)
            {
                await Task.Yield();
            }
        }

        var all = Task.WhenAll(workers);
        Assert.That(await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(all), "every job was taken");
        await all;
        Assert.That(taken, Is.EqualTo(Jobs));
    }
}
