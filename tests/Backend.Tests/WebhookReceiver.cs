using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A real HTTP receiver on loopback: records every call, and answers 503 to the first N calls of a path when told.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Call>> _calls = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly int _port;

    private WebhookReceiver(int port)
    {
        _port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public sealed record Call(DateTime At, Dictionary<string, string?> Headers, byte[] Body);

    public static WebhookReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new WebhookReceiver(port);
    }

    public string Url(string path) => $"http://127.0.0.1:{_port}{path}";

    public void FailFirst(string path, int times) => _failures[path] = times;

    public List<Call> Calls(string path) => _calls.TryGetValue(path, out var calls) ? calls.ToList() : [];

    public void Dispose() => _listener.Close();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k], StringComparer.OrdinalIgnoreCase);
            _calls.GetOrAdd(path, _ => new ConcurrentQueue<Call>()).Enqueue(new Call(DateTime.UtcNow, headers, body.ToArray()));
            var fail = _failures.TryGetValue(path, out var left) && left > 0;
            if (fail)
            {
                _failures[path] = left - 1;
            }

            context.Response.StatusCode = fail ? 503 : 200;
            context.Response.Close(Encoding.UTF8.GetBytes("{}"), false);
        }
    }
}
