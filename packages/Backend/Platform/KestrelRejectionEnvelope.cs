using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Gives the error envelope to the answers Kestrel writes itself, before the application sees a
/// request: a request it cannot parse (a NUL or a byte that is not ASCII in the path or a header,
/// 400), a request line or headers past its limits (414, 431). Those answers are a status line and
/// headers with <c>Content-Length: 0</c> and <c>Connection: close</c>, written in one flush. This
/// connection middleware holds the first bytes of each flush (a response's head is a few hundred
/// bytes) and, when they are such an answer, writes it again with a JSON body; anything else goes
/// out unchanged, the rest of a flush straight through.
/// </summary>
public static class KestrelRejectionEnvelope
{
    /// <summary>Wraps every connection's output.</summary>
    public static IConnectionBuilder UseKestrelRejectionEnvelope(this IConnectionBuilder connections) =>
        connections.Use(next => context =>
        {
            var transport = context.Transport;
            context.Transport = new DuplexPipe(transport.Input, new EnvelopingWriter(transport.Output));
            return next(context);
        });

    /// <summary>The envelope's body for Kestrel's answer of <paramref name="statusCode"/>.</summary>
    internal static string MessageFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status414RequestUriTooLong => "The request line is too long.",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request's headers are too large.",
        StatusCodes.Status413PayloadTooLarge => "The body is too large.",
        _ => "The request could not be read: its request line or a header is malformed (for example a NUL, %00, or a byte that is not ASCII in the path or a header).",
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>A writer that holds up to <see cref="HeadSize"/> bytes at the start of each flush.</summary>
    internal sealed class EnvelopingWriter(PipeWriter inner) : PipeWriter
    {
        internal const int HeadSize = 512;
        private static readonly byte[] RejectionPrefix = "HTTP/1.1 4"u8.ToArray();
        private static readonly byte[] EmptyClose = "\r\nContent-Length: 0\r\nConnection: close\r\n"u8.ToArray();

        private readonly byte[] _head = new byte[HeadSize];
        private int _held;
        private bool _passThrough;

        public override void Advance(int bytes)
        {
            if (_passThrough)
            {
                inner.Advance(bytes);
            }
            else
            {
                _held += bytes;
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (!_passThrough && (_held + Math.Max(sizeHint, 1) > HeadSize || !CouldBeRejection()))
            {
                Release();
            }

            return _passThrough ? inner.GetMemory(sizeHint) : _head.AsMemory(_held);
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Settle();
            // The next flush starts the next response's head (or more of this one's body).
            _passThrough = false;
            return await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            Settle();
            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            Settle();
            await inner.CompleteAsync(exception).ConfigureAwait(false);
        }

        // The held head goes out as it is, or, when it is a bare rejection of Kestrel's, with the envelope.
        private void Settle()
        {
            if (_passThrough || _held == 0)
            {
                return;
            }

            if (Rejection() is not { } status)
            {
                Release();
                return;
            }

            var body = Encoding.UTF8.GetBytes(EnvelopeJson(status));
            var head = Encoding.ASCII.GetString(_head, 0, _held).Replace(
                "\r\nContent-Length: 0\r\n", $"\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\n", StringComparison.Ordinal);
            inner.Write(Encoding.ASCII.GetBytes(head));
            inner.Write(body);
            _held = 0;
        }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + _held;

        private void Release()
        {
            if (_held > 0)
            {
                inner.Write(_head.AsSpan(0, _held));
                _held = 0;
            }

            _passThrough = true;
        }

        private bool CouldBeRejection()
        {
            var compared = Math.Min(_held, RejectionPrefix.Length);
            return _head.AsSpan(0, compared).SequenceEqual(RejectionPrefix.AsSpan(0, compared));
        }

        // "HTTP/1.1 4xx Reason\r\nContent-Length: 0\r\nConnection: close\r\n...\r\n\r\n" and nothing after it.
        private int? Rejection()
        {
            var held = _head.AsSpan(0, _held);
            if (!held.StartsWith(RejectionPrefix) || !held.EndsWith("\r\n\r\n"u8) || held.Length < 12)
            {
                return null;
            }

            var lineEnd = held.IndexOf("\r\n"u8);
            if (!held[lineEnd..].StartsWith(EmptyClose) || held.IndexOf("\r\n\r\n"u8) != held.Length - 4)
            {
                return null;
            }

            return int.TryParse(held.Slice(9, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status) ? status : null;
        }

        private static string EnvelopeJson(int status) =>
            System.Text.Json.JsonSerializer.Serialize(ApiErrorWriter.Envelope(status, MessageFor(status)), System.Text.Json.JsonSerializerOptions.Web);
    }
}
