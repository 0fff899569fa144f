using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Real processes a survival test starts, kills and restarts: a backend instance, or a private S3 server.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly Func<Task> _waitReady;
    private Process? _process;

    private ChildProcess(ProcessStartInfo start, Func<Task> waitReady)
    {
        _start = start;
        _waitReady = waitReady;
    }

    /// <summary>The process's output so far, for failure messages.</summary>
    public System.Text.StringBuilder Output { get; } = new();

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root (where Lightdash.Net.sln is).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Lightdash.Net.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Lightdash.Net.sln not found above the test output");
    }

    /// <summary>A backend instance as its own process (the built app next to the tests), configured by environment variables.</summary>
    public static async Task<(ChildProcess Process, Uri BaseAddress)> StartBackendAsync(IDictionary<string, string> settings)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var child = new ChildProcess(start, async () =>
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            await WaitUntilAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync("/health/live")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            });
        });
        await child.StartAsync();
        return (child, baseAddress);
    }

    /// <summary>A private s3rver (the one the test command installs) on its own port and folder, with the bucket "results".</summary>
    public static async Task<(ChildProcess Process, string ServiceUrl)> StartS3ServerAsync(string directory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "node_modules", ".bin", "s3rver"))
        {
            ArgumentList = { "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", directory, "--configure-bucket", "results", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var child = new ChildProcess(start, () => WaitUntilAsync(() => Task.FromResult(PortOpen(port))));
        await child.StartAsync();
        return (child, $"http://127.0.0.1:{port}");
    }

    /// <summary>Starts (or starts again) the process and waits until it serves.</summary>
    public async Task StartAsync()
    {
        _process = Process.Start(_start) ?? throw new InvalidOperationException($"{_start.FileName} did not start");
        _process.OutputDataReceived += (_, e) => { lock (Output) { Output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (Output) { Output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await _waitReady();
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process's id.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The process has not started.");

    /// <summary>The process's resident memory now, in bytes.</summary>
    public long ResidentBytes()
    {
        _process!.Refresh();
        return _process.WorkingSet64;
    }

    /// <summary>The CPU time the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process!.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine or container dies.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private static bool PortOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        while (!await ready())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The child process did not become ready within 60 s");
            }

            await Task.Delay(100);
        }
    }
}
