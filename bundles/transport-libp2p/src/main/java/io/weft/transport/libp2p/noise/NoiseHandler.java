package io.weft.transport.libp2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;
import io.weft.transport.libp2p.conn.SecureChannelEstablished;
import io.weft.transport.libp2p.proto.Libp2pProto.KeyType;
import io.weft.transport.libp2p.proto.Libp2pProto.NoiseExtensions;
import io.weft.transport.libp2p.proto.Libp2pProto.NoiseHandshakePayload;
import io.weft.transport.libp2p.proto.Libp2pProto.PublicKeyPb;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libp2p {@code /noise} security handler (github:libp2p/specs noise/README.md): runs the XX handshake over
 * 2-byte big-endian length-prefixed frames, authenticates the remote's libp2p identity from the handshake payload,
 * then encrypts and decrypts the connection.
 *
 * <ul>
 *   <li>The initiator sends the first message as soon as the channel is active. Messages 2 and 3 carry a
 *       {@code NoiseHandshakePayload}: the Ed25519 identity key and its signature over
 *       {@code "noise-libp2p-static-key:" || static X25519 key}, plus {@code stream_muxers} if offered. The remote's
 *       signature is verified and, when an expected peer was given, its peer id compared (before this side reveals
 *       its own identity in message 3).</li>
 *   <li>On success it fires {@link SecureChannelEstablished}; bytes that followed the last handshake message in the
 *       same read are decrypted only after that event, so a handler installed in response to it sees them.</li>
 *   <li>Then it is the transport codec: inbound frames are passed on as plaintext {@link ByteBuf}s (one per frame),
 *       outbound {@link ByteBuf} writes are split into frames of at most {@value #MAX_PLAINTEXT} plaintext bytes.</li>
 *   <li>Writes issued before the handshake completes are queued and sent (encrypted) right after it, before the
 *       event is fired; they fail with the handshake's error if it fails. Non-{@code ByteBuf} writes fail.</li>
 *   <li>Any failure (malformed or oversize frame, failed authentication, bad signature, unsupported key type,
 *       wrong peer, connection closed during the handshake or inside a frame) fires {@code exceptionCaught} with a
 *       {@link TransportException} ({@code PROTOCOL_ERROR} or {@code PEER_ID_MISMATCH}) and closes the channel.</li>
 * </ul>
 * One instance per connection (not sharable); the handshake has no timeout of its own.
 */
public final class NoiseHandler extends ByteToMessageDecoder implements ChannelOutboundHandler {
    /** Largest Noise message on the wire (excluding the 2-byte length). */
    public static final int MAX_FRAME = NoiseXX.MAX_MESSAGE_LENGTH;
    /** Largest plaintext carried by one transport frame. */
    public static final int MAX_PLAINTEXT = MAX_FRAME - CipherState.TAG_LENGTH;
    /** Prefix of the signed static key. */
    static final byte[] SIGNATURE_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8);

    private static final Logger LOG = LoggerFactory.getLogger(NoiseHandler.class);

    private enum State { HANDSHAKE, TRANSPORT, FAILED }

    private final PrivateKey identity;
    private final boolean initiator;
    private final PeerId expectedRemote;
    private final List<String> offeredMuxers;
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    private NoiseXX noise;
    private State state = State.HANDSHAKE;
    private boolean started;
    private CipherState send;
    private CipherState receive;
    private SecureChannelEstablished established;
    private byte[] scratch;
    private ByteBuffer directScratch;

    private record PendingWrite(Object msg, ChannelPromise promise) {
    }

    /**
     * @param identity       this peer's Ed25519 identity, which signs the Noise static key
     * @param initiator      true on the dialling side
     * @param expectedRemote the peer that must answer (when dialling {@code /p2p/<id>}), or null to accept any
     * @param offeredMuxers  stream muxers to offer in the handshake (inlined muxer negotiation); usually empty, so
     *                       the muxer is negotiated with multistream-select afterwards
     */
    public NoiseHandler(PrivateKey identity, boolean initiator, PeerId expectedRemote, List<String> offeredMuxers) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.initiator = initiator;
        this.expectedRemote = expectedRemote;
        this.offeredMuxers = offeredMuxers == null ? List.of() : List.copyOf(offeredMuxers);
    }

    /** The result of the handshake, or null before it completed. */
    public SecureChannelEstablished established() {
        return established;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        failPending(new TransportException(Kind.CLOSED, "noise: handler removed"));
        if (noise != null) {
            noise.destroy();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx); // decodes what is left, then calls decodeLast
        if (state == State.HANDSHAKE) {
            fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "noise: connection closed during the handshake"));
        }
        failPending(new TransportException(Kind.CLOSED, "noise: connection closed"));
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        noise = initiator ? NoiseXX.initiator(NoiseXX.generatePrivateKey(), null)
                : NoiseXX.responder(NoiseXX.generatePrivateKey(), null);
        if (initiator) {
            try {
                writeHandshake(ctx, noise.writeMessage(new byte[0]));
            } catch (TransportException e) {
                fail(ctx, e);
            }
        }
    }

    // ---------------------------------------------------------------- inbound

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (state == State.HANDSHAKE) {
                if (!started) {
                    start(ctx); // bytes before channelActive cannot happen on a real channel; be safe
                }
                decodeHandshake(ctx, in); // at most one message, so that the event precedes later frames
            } else {
                decodeTransport(ctx, in, out);
            }
        } catch (TransportException e) {
            in.skipBytes(in.readableBytes());
            fail(ctx, e);
        } catch (RuntimeException e) {
            in.skipBytes(in.readableBytes());
            fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "noise: malformed input", e));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (in.isReadable() && state != State.FAILED) {
            in.skipBytes(in.readableBytes());
            fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "noise: connection closed inside a frame"));
        }
    }

    private void decodeHandshake(ChannelHandlerContext ctx, ByteBuf in) throws TransportException {
        if (in.readableBytes() < 2) {
            return;
        }
        int len = in.getUnsignedShort(in.readerIndex());
        if (in.readableBytes() < 2 + len) {
            return;
        }
        if (noise.isWriteTurn()) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "noise: unexpected handshake message");
        }
        in.skipBytes(2);
        byte[] msg = new byte[len];
        in.readBytes(msg);
        byte[] payload = noise.readMessage(msg);
        if (initiator) {
            // message 2: authenticate the responder before revealing our identity in message 3
            SecureChannelEstablished remote = verify(payload);
            byte[] m3 = noise.writeMessage(localPayload());
            writeHandshake(ctx, m3);
            complete(ctx, remote);
        } else if (!noise.isComplete()) {
            if (payload.length != 0) {
                LOG.debug("noise: ignoring a {}-byte payload in the first handshake message", payload.length);
            }
            writeHandshake(ctx, noise.writeMessage(localPayload()));
        } else {
            complete(ctx, verify(payload));
        }
    }

    private void decodeTransport(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TransportException {
        while (in.readableBytes() >= 2) {
            int len = in.getUnsignedShort(in.readerIndex());
            if (in.readableBytes() < 2 + len) {
                return;
            }
            if (len < CipherState.TAG_LENGTH) {
                throw new TransportException(Kind.PROTOCOL_ERROR, "noise: transport frame of " + len + " bytes is shorter than its tag");
            }
            in.skipBytes(2);
            int plainLen = len - CipherState.TAG_LENGTH;
            boolean direct = ChaChaPoly.isNative();
            ByteBuf plain = direct ? ctx.alloc().directBuffer(plainLen, plainLen) : ctx.alloc().heapBuffer(plainLen, plainLen);
            boolean ok = false;
            try {
                if (direct) {
                    // native cipher: decrypt straight from the socket's direct buffer into a direct buffer
                    int n = receive.decrypt(directView(in, in.readerIndex(), len), plain.nioBuffer(0, plainLen));
                    plain.writerIndex(n);
                } else {
                    byte[] src;
                    int srcOff;
                    if (in.hasArray()) {
                        src = in.array();
                        srcOff = in.arrayOffset() + in.readerIndex();
                    } else {
                        src = scratch();
                        srcOff = 0;
                        in.getBytes(in.readerIndex(), src, 0, len);
                    }
                    if (plain.hasArray()) {
                        int n = receive.decrypt(null, src, srcOff, len, plain.array(), plain.arrayOffset() + plain.writerIndex());
                        plain.writerIndex(plain.writerIndex() + n);
                    } else {
                        plain.writeBytes(receive.decrypt(null, src, srcOff, len));
                    }
                }
                in.skipBytes(len);
                ok = true;
            } finally {
                if (!ok) {
                    plain.release();
                }
            }
            if (plainLen > 0) {
                out.add(plain);
            } else {
                plain.release();
            }
        }
    }

    private byte[] localPayload() {
        byte[] staticKey = noise.localStaticPublicKey();
        byte[] signed = new byte[SIGNATURE_PREFIX.length + staticKey.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, signed, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(staticKey, 0, signed, SIGNATURE_PREFIX.length, staticKey.length);
        NoiseHandshakePayload.Builder b = NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(identity.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(Ed25519.sign(identity, signed)));
        if (!offeredMuxers.isEmpty()) {
            b.setExtensions(NoiseExtensions.newBuilder().addAllStreamMuxers(offeredMuxers));
        }
        return b.build().toByteArray();
    }

    /** Checks the remote's payload against the static key it used in the handshake. */
    private SecureChannelEstablished verify(byte[] payload) throws TransportException {
        NoiseHandshakePayload p;
        try {
            p = NoiseHandshakePayload.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "noise: malformed handshake payload");
        }
        if (!p.hasIdentityKey() || !p.hasIdentitySig()) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "noise: handshake payload lacks the identity key or signature");
        }
        PublicKeyPb keyPb;
        try {
            keyPb = PublicKeyPb.parseFrom(p.getIdentityKey());
        } catch (InvalidProtocolBufferException e) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "noise: malformed or unsupported identity key");
        }
        if (keyPb.getType() != KeyType.Ed25519) {
            throw new TransportException(Kind.PROTOCOL_ERROR,
                    "noise: unsupported identity key type " + keyPb.getType() + " (only Ed25519 is supported)");
        }
        if (keyPb.getData().size() != PublicKey.LENGTH) {
            throw new TransportException(Kind.PROTOCOL_ERROR,
                    "noise: Ed25519 identity key has " + keyPb.getData().size() + " bytes");
        }
        PublicKey key = new PublicKey(keyPb.getData().toByteArray());
        byte[] remoteStatic = noise.remoteStaticPublicKey();
        byte[] signed = new byte[SIGNATURE_PREFIX.length + remoteStatic.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, signed, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(remoteStatic, 0, signed, SIGNATURE_PREFIX.length, remoteStatic.length);
        if (!Ed25519.verify(key, signed, p.getIdentitySig().toByteArray())) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "noise: invalid signature of the remote's static key");
        }
        PeerId peer = PeerId.of(key);
        if (expectedRemote != null && !expectedRemote.equals(peer)) {
            throw new TransportException(Kind.PEER_ID_MISMATCH,
                    "noise: expected peer " + expectedRemote + " but the remote is " + peer);
        }
        List<String> muxers = p.hasExtensions() ? List.copyOf(p.getExtensions().getStreamMuxersList()) : List.of();
        return new SecureChannelEstablished(peer, key, muxers);
    }

    private void complete(ChannelHandlerContext ctx, SecureChannelEstablished remote) {
        send = noise.sendCipher();
        receive = noise.receiveCipher();
        noise.destroy();
        state = State.TRANSPORT;
        established = remote;
        LOG.debug("noise: secure channel with {} ({})", remote.remotePeer(), initiator ? "initiator" : "responder");
        boolean wrote = false;
        while (!pending.isEmpty()) {
            PendingWrite w = pending.poll();
            encryptAndWrite(ctx, w.msg(), w.promise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        ctx.fireUserEventTriggered(remote);
    }

    private void writeHandshake(ChannelHandlerContext ctx, byte[] msg) {
        ByteBuf frame = ctx.alloc().buffer(2 + msg.length);
        frame.writeShort(msg.length);
        frame.writeBytes(msg);
        ctx.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess() && state != State.FAILED) {
                fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "noise: could not send a handshake message", f.cause()));
            }
        });
    }

    private void fail(ChannelHandlerContext ctx, TransportException e) {
        if (state == State.FAILED) {
            return;
        }
        state = State.FAILED;
        LOG.debug("noise: {} failed: {}", initiator ? "initiator" : "responder", e.getMessage());
        if (noise != null) {
            noise.destroy();
        }
        send = null;
        receive = null;
        failPending(e);
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    private void failPending(Throwable cause) {
        PendingWrite w;
        while ((w = pending.poll()) != null) {
            ReferenceCountUtil.safeRelease(w.msg());
            w.promise().tryFailure(cause);
        }
    }

    /**
     * {@code len} bytes of {@code buf} from {@code index} as one direct {@link ByteBuffer}: a view when the buffer is
     * a single direct region, else a copy into this handler's direct scratch buffer (the native cipher must not be
     * given Java arrays that other threads write to).
     */
    private ByteBuffer directView(ByteBuf buf, int index, int len) {
        if (buf.isDirect() && buf.nioBufferCount() == 1) {
            return buf.nioBuffer(index, len);
        }
        if (directScratch == null) {
            directScratch = ByteBuffer.allocateDirect(MAX_FRAME);
        }
        ByteBuffer view = directScratch.duplicate();
        view.clear().limit(len);
        buf.getBytes(index, view);
        view.flip();
        return view;
    }

    private byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[MAX_FRAME];
        }
        return scratch;
    }

    // ---------------------------------------------------------------- outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        switch (state) {
            case TRANSPORT -> encryptAndWrite(ctx, msg, promise);
            case HANDSHAKE -> pending.add(new PendingWrite(msg, promise));
            default -> {
                ReferenceCountUtil.safeRelease(msg);
                promise.tryFailure(new TransportException(Kind.CLOSED, "noise: secure channel failed"));
            }
        }
    }

    private void encryptAndWrite(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.safeRelease(msg);
            promise.tryFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        try {
            int total = in.readableBytes();
            if (total == 0) {
                ctx.write(Unpooled.EMPTY_BUFFER, promise); // nothing to protect; keeps the promise in write order
                return;
            }
            if (total <= MAX_PLAINTEXT) {
                ctx.write(encryptFrame(ctx, in, total), promise);
                return;
            }
            PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
            while (in.isReadable()) {
                combiner.add(ctx.write(encryptFrame(ctx, in, Math.min(MAX_PLAINTEXT, in.readableBytes()))));
            }
            combiner.finish(promise);
        } catch (RuntimeException e) {
            promise.tryFailure(e);
        } finally {
            in.release();
        }
    }

    /** Encrypts the next {@code len} readable bytes of {@code in} into a new length-prefixed frame. */
    private ByteBuf encryptFrame(ChannelHandlerContext ctx, ByteBuf in, int len) {
        int frameLen = len + CipherState.TAG_LENGTH;
        boolean direct = ChaChaPoly.isNative();
        ByteBuf frame = direct ? ctx.alloc().directBuffer(2 + frameLen, 2 + frameLen)
                : ctx.alloc().heapBuffer(2 + frameLen, 2 + frameLen);
        boolean ok = false;
        try {
            frame.writeShort(frameLen);
            if (direct) {
                // native cipher: encrypt from a direct view of the data straight into the direct frame
                int n = send.encrypt(directView(in, in.readerIndex(), len), frame.nioBuffer(2, frameLen));
                frame.writerIndex(2 + n);
            } else {
                byte[] src;
                int srcOff;
                if (in.hasArray()) {
                    src = in.array();
                    srcOff = in.arrayOffset() + in.readerIndex();
                } else {
                    src = scratch();
                    srcOff = 0;
                    in.getBytes(in.readerIndex(), src, 0, len);
                }
                if (frame.hasArray()) {
                    int n = send.encrypt(null, src, srcOff, len, frame.array(), frame.arrayOffset() + frame.writerIndex());
                    frame.writerIndex(frame.writerIndex() + n);
                } else {
                    byte[] ct = new byte[frameLen];
                    send.encrypt(null, src, srcOff, len, ct, 0);
                    frame.writeBytes(ct);
                }
            }
            in.skipBytes(len);
            ok = true;
            return frame;
        } finally {
            if (!ok) {
                frame.release();
            }
        }
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (state != State.HANDSHAKE) {
            ctx.flush();
        }
    }
}
