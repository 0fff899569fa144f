using System.Buffers;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Copies what the compressor writes into the pipe's buffer and counts it. Never flushes, so a
/// synchronous write cannot block on the pipe; its caller flushes (asynchronously) itself.
/// </summary>
internal sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
{
    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>True once <see cref="Cut"/> was called: later writes are dropped.</summary>
    public bool IsCut { get; private set; }

    /// <summary>Drops every later write (what a compressor adds when disposed, when the caller ends the stream itself).</summary>
    public void Cut() => IsCut = true;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (IsCut)
        {
            return;
        }

        output.Write(buffer);
        Written += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
