using System.Security.Cryptography;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// A stream that is only read, from start to end: what uploads read and what the transforms around them (hashing,
/// progress, encryption) are. Subclasses implement <see cref="Read(Span{byte})"/>; an asynchronous read runs it inline,
/// since every source here is a local file or a buffer already in memory.
/// </summary>
internal abstract class ForwardReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A service's download body (a provider's <see cref="IObjectStore.OpenRead"/>) whose failures leave as the provider's
/// short, secret-free <see cref="IOException"/>s; disposing it disposes the body and what owns it (the response).
/// </summary>
internal sealed class ServiceReadStream(Stream body, Func<Exception, IOException?> translate, IDisposable? owner = null) : ForwardReadStream
{
    public override int Read(Span<byte> buffer)
    {
        try
        {
            return body.Read(buffer);
        }
        catch (Exception e) when (translate(e) is { } failure)
        {
            throw failure;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            owner?.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Hashes what passes through it, so that a stream is read once for both its bytes and its SHA-256.</summary>
internal sealed class HashingReadStream(Stream inner) : ForwardReadStream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public string Sha256() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
