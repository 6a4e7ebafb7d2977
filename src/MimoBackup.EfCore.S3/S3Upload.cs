using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.S3;

/// <summary>
/// One create-only write of a forward-only stream: one PutObject when the content fits one part, else a multipart
/// upload that reads the next part while a few travel (memory bounded by a few part sizes, no temporary files) and is
/// aborted on any failure, so that nothing appears under the name unless all of it was stored and confirmed.
/// </summary>
[SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "MD5 is S3's Content-MD5 and ETag, an integrity check of the protocol; SHA-256 is the backup's hash.")]
internal sealed class S3Upload(S3ObjectStore store, string name, string key)
{
    private const string OctetStream = "application/octet-stream";

    /// <summary>Every hash of the content as read: SHA-256 is the answer, MD5 is what some stores give as a multipart ETag.</summary>
    private readonly IncrementalHash sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private string Location => store.Locate(name);

    /// <summary>Stores <paramref name="content"/> and returns its SHA-256 (lower-case hex).</summary>
    public string Run(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            // S3 honours If-None-Match: * on the final request, but not every compatible store does (s3rver
            // ignores it): the HEAD keeps an existing object safe there too, and spares a large upload.
            if (store.Find(name, cancellationToken) is not null)
            {
                throw new StoredObjectExistsException(Location);
            }

            var buffer = new byte[store.Settings.PartSize];
            var length = Fill(content, buffer, cancellationToken);
            var sent = length < buffer.Length
                ? PutOne(buffer.AsMemory(0, length), cancellationToken)
                : PutParts(content, buffer, length, cancellationToken);
            var hash = Convert.ToHexStringLower(sha256.GetHashAndReset());
            Confirm(sent, hash, cancellationToken);
            return hash;
        }
        finally
        {
            sha256.Dispose();
        }
    }

    /// <summary>Reads until the buffer is full or the content ends; the number of bytes read.</summary>
    private static int Fill(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = content.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private Sent PutOne(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var part = Hash(bytes.Span);
        var request = new PutObjectRequest
        {
            BucketName = store.Bucket,
            Key = key,
            InputStream = Body(bytes),
            ContentType = OctetStream,

            // A signed payload hash instead of an aws-chunked body (see S3StoreSettings): S3 then checks the
            // body against x-amz-content-sha256 as well as against Content-MD5 and the SHA-256 checksum.
            UseChunkEncoding = false,
            MD5Digest = Convert.ToBase64String(part.Md5),
            ChecksumSHA256 = Convert.ToBase64String(part.Sha256),
            IfNoneMatch = "*",
        };
        var expected = new Sent(null, null, Convert.ToBase64String(part.Sha256), [Convert.ToHexStringLower(part.Md5)], bytes.Length);
        try
        {
            var response = store.Client.PutObjectAsync(request, cancellationToken).GetAwaiter().GetResult();
            return expected with { Checksum = response.ChecksumSHA256, ETag = response.ETag };
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
        {
            return Landed(expected, e, cancellationToken);
        }
    }

    private Sent PutParts(Stream content, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var start = new InitiateMultipartUploadRequest
        {
            BucketName = store.Bucket,
            Key = key,
            ContentType = OctetStream,

            // S3 takes a SHA-256 with each part only when the upload announced it.
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
        };
        var uploadId = S3Failure.Run(() => store.Client.InitiateMultipartUploadAsync(start, cancellationToken), Location, "starting the upload", cancellationToken).UploadId;
        var parts = new List<PartETag>();
        var inFlight = new Queue<(PartETag Part, byte[] Buffer, string Md5, Task<UploadPartResponse> Upload)>();
        var spare = new Stack<byte[]>();
        using var partMd5s = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var partSha256s = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var partsVouched = true;
        long total = 0;

        // The oldest part in flight, finished: the service's ETag of a part is its MD5 on S3 and compatible stores alike.
        void Land()
        {
            var (part, partBuffer, partMd5, upload) = inFlight.Dequeue();
            var uploaded = S3Failure.Run(() => upload, Location, $"uploading part {part.PartNumber}", cancellationToken);
            part.ETag = uploaded.ETag;
            partsVouched &= string.Equals(uploaded.ETag?.Trim('"'), partMd5, StringComparison.OrdinalIgnoreCase);
            parts.Add(part);
            spare.Push(partBuffer);
        }

        try
        {
            var partNumber = 0;
            while (length > 0)
            {
                if (partNumber == S3StoreSettings.MaxParts)
                {
                    throw new IOException($"{Location}: larger than {S3StoreSettings.MaxParts} parts of {buffer.Length} bytes");
                }

                var bytes = buffer.AsMemory(0, length);
                var part = Hash(bytes.Span);
                partMd5s.AppendData(part.Md5);
                partSha256s.AppendData(part.Sha256);
                var request = new UploadPartRequest
                {
                    BucketName = store.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = ++partNumber,
                    InputStream = Body(bytes),
                    PartSize = length,
                    UseChunkEncoding = false,
                    MD5Digest = Convert.ToBase64String(part.Md5),
                    ChecksumSHA256 = Convert.ToBase64String(part.Sha256),
                };
                inFlight.Enqueue((new PartETag { PartNumber = request.PartNumber, ChecksumSHA256 = request.ChecksumSHA256 }, buffer, Convert.ToHexStringLower(part.Md5), store.Client.UploadPartAsync(request, cancellationToken)));
                total += length;
                if (inFlight.Count >= Math.Max(1, store.Settings.PartsInFlight))
                {
                    Land();
                }

                buffer = spare.Count > 0 ? spare.Pop() : new byte[buffer.Length];
                length = Fill(content, buffer, cancellationToken);
            }

            while (inFlight.Count > 0)
            {
                Land();
            }

            // S3's ETag of a multipart object is the MD5 of the parts' MD5s with the part count, and its composite
            // checksum the same of the SHA-256s. Some compatible stores (s3rver) give another ETag; there the parts'
            // own ETags, each its part's MD5, vouch for the bytes.
            var suffix = "-" + parts.Count;
            var expected = new Sent(
                null,
                null,
                Convert.ToBase64String(partSha256s.GetHashAndReset()) + suffix,
                [Convert.ToHexStringLower(partMd5s.GetHashAndReset()) + suffix],
                total) { PartsVouched = partsVouched };
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = store.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
                IfNoneMatch = "*",
            };
            try
            {
                var completed = store.Client.CompleteMultipartUploadAsync(complete, cancellationToken).GetAwaiter().GetResult();
                return expected with { Checksum = completed.ChecksumSHA256, ETag = completed.ETag };
            }
            catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
            {
                return Landed(expected, e, cancellationToken);
            }
        }
        catch
        {
            // On any failure, cancellation too: the parts never become an object, and S3 stops keeping them. Parts
            // still in flight end first, so that none lands after the abort.
            foreach (var (_, _, _, upload) in inFlight)
            {
                try
                {
                    upload.Wait(TimeSpan.FromSeconds(30));
                }
                catch (AggregateException)
                {
                    // The first failure is the one reported.
                }
            }

            Abort(uploadId);
            throw;
        }
    }

    /// <summary>
    /// After the final request failed: a retry of a request whose answer was lost meets its own object (412 under
    /// If-None-Match, or an error after the object was stored), so an object of exactly these bytes is this write's.
    /// Otherwise the name was taken meanwhile (412), or the write failed.
    /// </summary>
    private Sent Landed(Sent expected, Exception failure, CancellationToken cancellationToken)
    {
        StoredObject? found = null;
        string? etag = null;
        try
        {
            var head = store.Client.GetObjectMetadataAsync(store.Bucket, key, cancellationToken).GetAwaiter().GetResult();
            found = new StoredObject(name, head.ContentLength, default);
            etag = head.ETag;
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
        {
            // Not there, or not reachable: the first failure is the answer.
        }

        if (found is { } stored && stored.Length == expected.Length && etag is not null && expected.Matches(etag))
        {
            return expected with { ETag = etag };
        }

        throw S3Failure.IsPreconditionFailed(failure) ? new StoredObjectExistsException(Location) : S3Failure.Translate(failure, Location, "uploading");
    }

    /// <summary>Confirms the stored bytes are the bytes read; else deletes them and throws.</summary>
    private void Confirm(Sent sent, string hash, CancellationToken cancellationToken)
    {
        if (sent.Checksum == sent.ExpectedChecksum || (sent.ETag is { } etag && sent.Matches(etag)) || sent.PartsVouched)
        {
            return;
        }

        // Neither the service's SHA-256 nor its ETag vouches for the bytes (a store that returns neither, an
        // ETag that is not an MD5, as with SSE-KMS): read them back.
        string stored;
        try
        {
            using var stream = store.OpenRead(name, cancellationToken);
            stored = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch
        {
            Discard();
            throw;
        }

        if (!string.Equals(stored, hash, StringComparison.Ordinal))
        {
            Discard();
            throw new StoredObjectChecksumException(stored, hash);
        }
    }

    /// <summary>Deletes what this write stored, best effort: the failure that led here is what the caller needs.</summary>
    private void Discard()
    {
        try
        {
            store.Delete(name, CancellationToken.None);
        }
        catch (IOException)
        {
            // Reported by the failure being thrown; the core's verification never trusts an unconfirmed object.
        }
    }

    /// <summary>Aborts a multipart upload, best effort, within 30 s: its parts are never an object, only storage.</summary>
    private void Abort(string uploadId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            store.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = store.Bucket, Key = key, UploadId = uploadId }, limit.Token)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, CancellationToken.None) || e is OperationCanceledException)
        {
            // s3rver has no AbortMultipartUpload (405); on S3 a lifecycle rule removes incomplete uploads.
        }
    }

    /// <summary>Hashes one part, adding it to the content's hashes.</summary>
    private (byte[] Md5, byte[] Sha256) Hash(ReadOnlySpan<byte> bytes)
    {
        sha256.AppendData(bytes);
        return (MD5.HashData(bytes), SHA256.HashData(bytes));
    }

    /// <summary>A seekable read-only view of the buffer: the SDK rewinds it to resend a retried request.</summary>
    private static MemoryStream Body(ReadOnlyMemory<byte> bytes)
        => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    /// <summary>What the service answered for the write, and what would vouch for the bytes.</summary>
    private sealed record Sent(string? Checksum, string? ETag, string ExpectedChecksum, IReadOnlyList<string> ExpectedETags, long Length)
    {
        /// <summary>Every part of a multipart upload came back with its own MD5 as its ETag.</summary>
        public bool PartsVouched { get; init; }

        public bool Matches(string etag) => ExpectedETags.Contains(etag.Trim('"'), StringComparer.OrdinalIgnoreCase);
    }
}
