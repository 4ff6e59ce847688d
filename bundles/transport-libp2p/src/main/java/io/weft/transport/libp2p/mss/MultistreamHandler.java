package io.weft.transport.libp2p.mss;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.weft.api.net.TransportException;
import io.weft.api.net.TransportException.Kind;
import io.weft.transport.libp2p.conn.ProtocolNegotiated;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level multistream-select 1.0 as a Netty handler (used for the security protocol on raw TCP and for the
 * muxer inside Noise).
 *
 * <ul>
 *   <li>Initiator: as soon as the channel is active it writes the header and its first proposal in one write (it
 *       never waits for the responder's header); on {@code na} it proposes the next one, and fails with
 *       {@code PROTOCOL_NOT_SUPPORTED} when none is left.</li>
 *   <li>Responder: waits for the initiator's header, then sends its own; answers {@code na} to unsupported
 *       proposals, lists its protocols on {@code ls}, and agrees by echoing a supported proposal.</li>
 *   <li>On agreement it fires {@link ProtocolNegotiated} and then removes itself; bytes that followed the agreement
 *       in the same read are passed to the handler installed (after this one) in response to the event.</li>
 *   <li>Malformed lines (varint over 2 bytes, over {@value MultistreamCodec#MAX_MESSAGE_LENGTH} bytes, no newline,
 *       invalid UTF-8), an unexpected header or answer, more than {@value MultistreamCodec#MAX_ROUNDS} rounds, or a
 *       close before agreement fire {@code exceptionCaught} with a {@link TransportException}
 *       ({@code PROTOCOL_ERROR}, or {@code PROTOCOL_NOT_SUPPORTED} when the proposals are exhausted) and close the
 *       channel.</li>
 * </ul>
 * One instance per negotiation (not sharable). It has no timeout of its own.
 */
public final class MultistreamHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(MultistreamHandler.class);

    private final boolean initiator;
    private final List<String> proposals;
    private final Set<String> supported;
    private boolean started;
    private boolean headerReceived;
    private boolean finished;
    private int index;
    private int rounds;

    private MultistreamHandler(boolean initiator, List<String> proposals, Set<String> supported) {
        this.initiator = initiator;
        this.proposals = proposals;
        this.supported = supported;
    }

    /** A dialer proposing {@code proposals} in order of preference (non-empty, at most 16). */
    public static MultistreamHandler initiator(List<String> proposals) {
        List<String> copy = List.copyOf(proposals);
        if (copy.isEmpty() || copy.size() > MultistreamCodec.MAX_ROUNDS) {
            throw new IllegalArgumentException("multistream: between 1 and " + MultistreamCodec.MAX_ROUNDS + " proposals required");
        }
        copy.forEach(MultistreamCodec::checkProtocol);
        return new MultistreamHandler(true, copy, Set.of());
    }

    /** A listener accepting any of {@code supported}. */
    public static MultistreamHandler responder(Set<String> supported) {
        return new MultistreamHandler(false, List.of(), Set.copyOf(supported));
    }

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
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "multistream: connection closed during negotiation"));
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        if (initiator) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(MultistreamCodec.encode(MultistreamCodec.HEADER, proposals.get(0))));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (finished) {
            return; // failed (agreement removes this handler before any further decoding)
        }
        boolean wrote = false;
        try {
            String line;
            while ((line = MultistreamCodec.decode(in)) != null) {
                if (!headerReceived) {
                    if (!MultistreamCodec.HEADER.equals(line)) {
                        throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: expected the header "
                                + MultistreamCodec.HEADER + " but got another line");
                    }
                    headerReceived = true;
                    if (!initiator) {
                        ctx.write(Unpooled.wrappedBuffer(MultistreamCodec.encode(MultistreamCodec.HEADER)));
                        wrote = true;
                    }
                    continue;
                }
                String agreed = initiator ? onAnswer(ctx, line) : onProposal(ctx, line);
                wrote = true;
                if (agreed != null) {
                    finished = true;
                    ctx.flush();
                    LOG.debug("multistream: agreed on {} ({})", agreed, initiator ? "initiator" : "responder");
                    ctx.fireUserEventTriggered(new ProtocolNegotiated(agreed));
                    if (!ctx.isRemoved()) {
                        ctx.pipeline().remove(this); // leftover bytes go to the next handler
                    }
                    return;
                }
            }
            if (wrote) {
                ctx.flush();
            }
        } catch (TransportException e) {
            if (wrote) {
                ctx.flush();
            }
            in.skipBytes(in.readableBytes());
            fail(ctx, e);
        } catch (RuntimeException e) {
            in.skipBytes(in.readableBytes());
            fail(ctx, new TransportException(Kind.PROTOCOL_ERROR, "multistream: malformed input", e));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        in.skipBytes(in.readableBytes());
    }

    /** Initiator: the answer to the current proposal; returns the agreed protocol or null. */
    private String onAnswer(ChannelHandlerContext ctx, String line) throws TransportException {
        String proposal = proposals.get(index);
        if (line.equals(proposal)) {
            return proposal;
        }
        if (!MultistreamCodec.NA.equals(line)) {
            throw new TransportException(Kind.PROTOCOL_ERROR, "multistream: unexpected answer to a proposal");
        }
        index++;
        if (index == proposals.size()) {
            throw new TransportException(Kind.PROTOCOL_NOT_SUPPORTED,
                    "multistream: the remote supports none of " + proposals);
        }
        ctx.write(Unpooled.wrappedBuffer(MultistreamCodec.encode(proposals.get(index))));
        return null;
    }

    /** Responder: answers one proposal; returns the agreed protocol or null. */
    private String onProposal(ChannelHandlerContext ctx, String line) throws TransportException {
        if (++rounds > MultistreamCodec.MAX_ROUNDS) {
            throw new TransportException(Kind.PROTOCOL_ERROR,
                    "multistream: more than " + MultistreamCodec.MAX_ROUNDS + " proposals");
        }
        if (MultistreamCodec.LS.equals(line)) {
            ctx.write(Unpooled.wrappedBuffer(MultistreamCodec.frame(MultistreamCodec.lsBody(new TreeSet<>(supported)))));
            return null;
        }
        if (supported.contains(line)) {
            ctx.write(Unpooled.wrappedBuffer(MultistreamCodec.encode(line)));
            return line;
        }
        ctx.write(Unpooled.wrappedBuffer(MultistreamCodec.encode(MultistreamCodec.NA)));
        return null;
    }

    private void fail(ChannelHandlerContext ctx, TransportException e) {
        if (finished) {
            return;
        }
        finished = true;
        LOG.debug("multistream: {} failed: {}", initiator ? "initiator" : "responder", e.getMessage());
        ctx.fireExceptionCaught(e);
        ctx.close();
    }
}
