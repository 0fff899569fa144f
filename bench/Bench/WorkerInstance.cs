using System.Diagnostics;

namespace Lightdash.Net.Bench;

/// <summary>
/// A worker-only backend instance (<c>Instance:Roles=worker</c>) started by the bench with the main
/// backend's settings (the file the bench script writes): it shares the metadata database and the
/// results storage, so it takes work from the same queue.
/// </summary>
public sealed class WorkerInstance : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerInstance(Process process) => _process = process;

    /// <summary>The instance's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts one and waits until it serves its health route.</summary>
    public static async Task<WorkerInstance> StartAsync(BenchOptions options, int port)
    {
        if (options.WorkerEnvFile is null || options.BackendDll is null)
        {
            throw new InvalidOperationException("--worker-env and --backend-dll are needed to start worker instances (bench/run.sh passes them).");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { options.BackendDll },
            WorkingDirectory = Path.GetDirectoryName(options.BackendDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var line in File.ReadLines(options.WorkerEnvFile).Where(l => l.Contains('=', StringComparison.Ordinal)))
        {
            start.Environment[line[..line.IndexOf('=', StringComparison.Ordinal)]] = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        start.Environment["Instance__Roles"] = "worker";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return new WorkerInstance(process);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The worker instance did not become ready within 60 s");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
