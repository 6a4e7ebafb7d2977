using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// One create-only upload of a forward-only stream. Content smaller than a block is one Put Blob; larger content is
/// staged in blocks from two reused buffers (the next block is read and hashed while the last one is sent) and then
/// published by one Put Block List. Both publishing requests carry <c>If-None-Match: *</c>, so the service itself
/// refuses a name that is taken, also when two writers race. Staged blocks are never visible as a blob, and the
/// service discards uncommitted ones, so an interrupted upload leaves nothing under the name and nothing to abort.
/// </summary>
/// <remarks>
/// Why the stored bytes are the bytes read, without reading them back: every request carries the MD5 of the exact
/// buffer it sends (Content-MD5), which the service checks before it keeps the body; the SHA-256 is taken of those
/// same buffers as they are read; the committed block list is asked back and must be exactly this upload's blocks
/// (ids unique to this upload), in order, of the length read. A mismatch deletes the blob
/// (<see cref="StoredObjectChecksumException"/>). The blob also gets the whole content's MD5 as its Content-MD5, for
/// tools that check downloads, and the SHA-256 as metadata.
/// </remarks>
internal sealed class AzureBlobUpload(BlockBlobClient blob, string location, AzureBlobTransfer transfer, CancellationToken cancellationToken)
{
    /// <summary>Metadata: the SHA-256 of the content (lower-case hex).</summary>
    public const string Sha256Metadata = "sha256";

    /// <summary>Metadata: this upload's id, so that a retried commit recognises its own blob.</summary>
    public const string WriteMetadata = "mimowrite";

    private readonly string write = Guid.NewGuid().ToString("N");

    /// <summary>Reads <paramref name="content"/> to its end, stores it, and returns its SHA-256 (lower-case hex).</summary>
    public string Run(Stream content)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(transfer.BlockSize);
        byte[]? spare = null;
        try
        {
            var length = Fill(content, buffer, sha256, md5);
            if (length < transfer.BlockSize)
            {
                var whole = Convert.ToHexStringLower(sha256.GetHashAndReset());
                UploadWhole(buffer, length, whole);
                return whole;
            }

            spare = ArrayPool<byte>.Shared.Rent(transfer.BlockSize);
            var (ids, total) = StageBlocks(content, buffer, spare, length, sha256, md5);
            var sha = Convert.ToHexStringLower(sha256.GetHashAndReset());
            Commit(ids, total, md5.GetHashAndReset(), sha);
            return sha;
        }
        finally
        {
            // Every staging task has finished by now: a buffer is never returned while it is being sent.
            ArrayPool<byte>.Shared.Return(buffer);
            if (spare is not null)
            {
                ArrayPool<byte>.Shared.Return(spare);
            }
        }
    }

    private void UploadWhole(byte[] buffer, int length, string sha)
    {
        var md5 = MD5.HashData(buffer.AsSpan(0, length));
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = Metadata(sha),
            // The SDK takes no precalculated hash here; it computes the MD5 of this one buffer itself and sends it.
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
            TransferOptions = new StorageTransferOptions { InitialTransferSize = transfer.BlockSize, MaximumTransferSize = transfer.BlockSize },
        };
        ETag etag;
        byte[]? stored;
        try
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var uploaded = blob.Upload(body, options, cancellationToken).Value;
            (etag, stored) = (uploaded.ETag, uploaded.ContentHash);
        }
        catch (RequestFailedException e) when (AzureBlobFailure.IsTaken(e))
        {
            etag = OwnBlob() ?? throw new StoredObjectExistsException(location);
            stored = null;
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }

        // The service checked the Content-MD5 before keeping the body; the MD5 it reports of what it stored must agree.
        if (stored is { Length: > 0 } && !stored.AsSpan().SequenceEqual(md5))
        {
            Discard(etag);
            throw new StoredObjectChecksumException($"(other bytes: the service stored MD5 {Convert.ToHexStringLower(stored)})", sha);
        }
    }

    /// <summary>Stages the first block (already read) and every further one; returns the block ids and the length read.</summary>
    private (List<string> Ids, long Total) StageBlocks(Stream content, byte[] first, byte[] spare, int length, IncrementalHash sha256, IncrementalHash md5)
    {
        // The two rented buffers go back to the pool in Run; the further ones are this upload's own.
        var buffer = first;
        var ids = new List<string>();
        var inFlight = new Queue<(byte[] Buffer, Task Staging)>();
        var free = new Stack<byte[]>();
        free.Push(spare);
        long total = 0;
        try
        {
            while (length > 0)
            {
                if (ids.Count == AzureBlobTransfer.MaxBlocks)
                {
                    throw new IOException($"{location}: the content is larger than {AzureBlobTransfer.MaxBlocks} blocks of {transfer.BlockSize} bytes, the most one blob holds");
                }

                var id = BlockId(ids.Count);
                ids.Add(id);
                total += length;
                var sending = buffer;
                var sendingLength = length;

                // Sent on pool threads while this one reads and hashes the next blocks into other buffers: the hashing
                // then costs no upload time, and several blocks travel at once. The SDK call itself is the synchronous one.
                inFlight.Enqueue((sending, Task.Run(() => Stage(id, sending, sendingLength), CancellationToken.None)));
                if (inFlight.Count >= Math.Max(1, transfer.BlocksInFlight))
                {
                    var (done, staging) = inFlight.Dequeue();
                    staging.GetAwaiter().GetResult();
                    free.Push(done);
                }

                buffer = free.Count > 0 ? free.Pop() : new byte[transfer.BlockSize];
                length = Fill(content, buffer, sha256, md5);
            }

            while (inFlight.Count > 0)
            {
                inFlight.Dequeue().Staging.GetAwaiter().GetResult();
            }
        }
        catch
        {
            foreach (var (_, staging) in inFlight)
            {
                Settle(staging);
            }

            throw;
        }

        return (ids, total);
    }

    private void Stage(string id, byte[] buffer, int length)
    {
        var options = new BlockBlobStageBlockOptions
        {
            TransferValidation = new UploadTransferValidationOptions
            {
                ChecksumAlgorithm = StorageChecksumAlgorithm.MD5,
                PrecalculatedChecksum = MD5.HashData(buffer.AsSpan(0, length)),
            },
        };
        try
        {
            // A retried try rewinds this stream: the same buffer, the same MD5.
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            blob.StageBlock(id, body, options, cancellationToken);
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }
    }

    private void Commit(List<string> ids, long total, byte[] md5, string sha)
    {
        var options = new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentHash = md5 },
            Metadata = Metadata(sha),
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        ETag etag;
        try
        {
            etag = blob.CommitBlockList(ids, options, cancellationToken).Value.ETag;
        }
        catch (RequestFailedException e) when (AzureBlobFailure.IsTaken(e))
        {
            etag = OwnBlob() ?? throw new StoredObjectExistsException(location);
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }

        bool same;
        try
        {
            // Block ids are this upload's own, so another blob under the name (were it replaced since) cannot match.
            var committed = blob.GetBlockList(BlockListTypes.Committed, snapshot: null, conditions: null, cancellationToken).Value;
            same = committed.BlobContentLength == total && committed.CommittedBlocks.Select(b => b.Name).SequenceEqual(ids);
        }
        catch (Exception e)
        {
            // Unconfirmed is not published: nothing stays under the name.
            Discard(etag);
            throw AzureBlobFailure.IsServiceFailure(e, cancellationToken) ? AzureBlobFailure.ToIOException(e, location) : e;
        }

        if (!same)
        {
            Discard(etag);
            throw new StoredObjectChecksumException("(other bytes: the committed block list is not this upload's)", sha);
        }
    }

    /// <summary>
    /// After a refusal of the commit: the blob's ETag when the blob under the name is this upload's (a commit whose
    /// answer was lost and that the SDK retried), else null.
    /// </summary>
    private ETag? OwnBlob()
    {
        try
        {
            var properties = blob.GetProperties(conditions: null, cancellationToken).Value;
            return properties.Metadata.TryGetValue(WriteMetadata, out var owner) && owner == write ? properties.ETag : null;
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            return null;
        }
    }

    /// <summary>Deletes what this upload published, when it cannot be vouched for; best effort, the caller reports the cause.</summary>
    private void Discard(ETag etag)
    {
        try
        {
            blob.Delete(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = etag }, CancellationToken.None);
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, CancellationToken.None))
        {
            // The caller's exception says what went wrong; this one would only hide it.
        }
    }

    private Dictionary<string, string> Metadata(string sha) => new(StringComparer.Ordinal) { [Sha256Metadata] = sha, [WriteMetadata] = write };

    /// <summary>Block ids are base64 of equal length within a blob; this upload's prefix keeps another writer's blocks out.</summary>
    private string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"{write}-{index:D6}"));

    /// <summary>Reads until the block is full or the content ends, hashing what was read.</summary>
    private int Fill(Stream content, byte[] buffer, IncrementalHash sha256, IncrementalHash md5)
    {
        var filled = 0;
        while (filled < transfer.BlockSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = content.Read(buffer, filled, transfer.BlockSize - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        sha256.AppendData(buffer, 0, filled);
        md5.AppendData(buffer, 0, filled);
        return filled;
    }

    /// <summary>Waits for a staging that is no longer wanted, so that its buffer is free; its own failure is superseded.</summary>
    private static void Settle(Task staging)
    {
        try
        {
            staging.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The failure that stopped the upload is the one reported.
        }
    }
}
