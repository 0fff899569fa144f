using System.IO.Pipelines;
using Lightdash.Net.Backend.ResultsStorage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Result writing stays on its own niced threads, off the thread pool that serves requests.</summary>
public class StreamingSchedulerTests
{
    private static StreamingScheduler Create(int threads, int niceness) =>
        new(Microsoft.Extensions.Options.Options.Create(new StreamingOptions { StreamingThreads = threads, StreamingThreadNiceness = niceness }), NullLogger<StreamingScheduler>.Instance);

    private static string Where() => $"{Thread.CurrentThread.Name ?? "(unnamed)"}{(Thread.CurrentThread.IsThreadPoolThread ? " (pool)" : "")}";

    [Test]
    public async Task Work_ResumesOnTheStreamingThreads_AfterTasksAndPipeWaits()
    {
        using var scheduler = Create(threads: 2, niceness: 0);
        var pipe = new Pipe(new PipeOptions(readerScheduler: scheduler.Pipes, writerScheduler: scheduler.Pipes, pauseWriterThreshold: 16, resumeWriterThreshold: 8, useSynchronizationContext: false));
        // The reader drains slowly from the thread pool, so the writer below is paused and resumed many times.
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var read = await pipe.Reader.ReadAsync();
                await Task.Delay(1);
                pipe.Reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        });

        var seen = await scheduler.RunAsync(async () =>
        {
            var threads = new List<string> { Where() };
            for (var i = 0; i < 50; i++)
            {
                await Task.Delay(1);
                threads.Add(Where());
                await pipe.Writer.WriteAsync(new byte[32]);
                threads.Add(Where());
            }

            await pipe.Writer.CompleteAsync();
            return threads;
        });
        await drain;

        Assert.That(seen, Has.All.StartsWith("lightdash-streaming-").And.Not.EndsWith("(pool)"));
    }

    [Test]
    public async Task Threads_RunAtTheConfiguredNiceValue()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("nice values are a Linux feature");
        }

        using var scheduler = Create(threads: 1, niceness: 7);

        var nice = await scheduler.RunAsync(() =>
        {
            // /proc/thread-self/stat: the 19th field is the nice value (fields counted after the command name).
            var stat = File.ReadAllText("/proc/thread-self/stat");
            return Task.FromResult(int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture));
        });

        Assert.That(nice, Is.EqualTo(7));
    }

    [Test]
    public async Task Failures_ReachTheCaller()
    {
        using var scheduler = Create(threads: 1, niceness: 0);

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => scheduler.RunAsync<int>(async () =>
        {
            await Task.Yield();
            throw new InvalidDataException("broken row");
        }));

        Assert.That(failure!.Message, Is.EqualTo("broken row"));
        Assert.That(await scheduler.RunAsync(() => Task.FromResult(42)), Is.EqualTo(42), "the thread survives a failure");
    }
}
