namespace MimoBackup.EfCore.Tests;

/// <summary>
/// Content as the core gives it to an upload: forward-only, of unknown length, in short reads of at most 64 KiB, as a
/// network or a decrypting stream gives them. It can report the position of each read, wait at a barrier on its first
/// read, and call back once a number of bytes was read (to stop a server, to cancel).
/// </summary>
internal sealed class ForwardOnlyStream(byte[] content, Action<long>? onRead = null, Barrier? firstRead = null, long afterBytes = -1, Action? reached = null) : Stream
{
    private int position;
    private bool started;
    private bool called;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public bool Disposed { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (!started)
        {
            started = true;
            firstRead?.SignalAndWait(TimeSpan.FromSeconds(30));
        }

        onRead?.Invoke(position);
        if (!called && afterBytes >= 0 && position >= afterBytes)
        {
            called = true;
            reached?.Invoke();
        }

        var read = Math.Min(Math.Min(count, 64 * 1024), content.Length - position);
        Array.Copy(content, position, buffer, offset, read);
        position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
