// One request through the gateway: the middleware chain, the origin exchange and the response to the client.

import Foundation
import SwitchyardEventLoop
import SwitchyardHTTP1
import SwitchyardPlugin

/// The life of one request: request phases (possibly suspended), then a local response or an origin exchange
/// with both bodies streamed, then the logging phase. Used on its connection's loop thread only.
///
/// Backpressure: the request body is consumed from the client's buffer only while the origin connection's output
/// queue is below `highWater`, and the response body only while the client's is. Memory per exchange is bounded
/// by the two read buffers and the two queues, whatever the body sizes.
final class Exchange: UpstreamConnectionOwner {
    enum State {
        case runningChain, connecting, forwarding, respondingLocally, draining, tunneling, done
    }

    static let highWater = 64 * 1024
    static let maxRedirects = 20
    /// Most interim (1xx) responses accepted before the final one.
    static let maxInformationalResponses = 32
    /// Largest unread request body that is read and discarded after a local response instead of closing.
    static let maxDrainBytes: UInt64 = 64 * 1024

    /// Strong on purpose: finishing an exchange can close its connection, and the exchange must stay able to
    /// touch it until its own call returns. The connection drops the exchange when it ends, breaking the cycle.
    let client: ClientConnection
    let worker: Worker
    let chain: MiddlewareChain
    let head: HTTP1RequestHead
    let context: RequestContext
    private(set) var state: State = .runningChain

    private var upstream: UpstreamConnection?
    private var method: String
    private var requestFraming: BodyFraming
    private var requestBodyBytes: UInt64 = 0
    /// Whether the client's request body has been read to its end.
    private(set) var requestBodyComplete: Bool
    private var continueSent = false
    private var responseHeadSent = false
    private var responseComplete = false
    private var responseHasNoBody = false
    private var clientChunked = false
    private var originKeepAlive = true
    /// Whether the client connection closes after this response.
    private(set) var closeAfterResponse = false
    private var redirectHops = 0
    private var pendingRedirect: Redirects.Hop?
    private var retriedOnFreshConnection = false
    private var originStart: UInt64 = 0
    private var filters: [ResponseBodyFilter] = []
    private var filterBuffers: ([UInt8], [UInt8]) = ([], [])
    /// The maximum number of response bytes decoded per step, lowered while body filters expand their input a lot.
    private var filterInputLimit = Int.max
    private var informationalCount = 0
    /// The tunnel sides that sent their FIN. Each FIN is passed on as a half-close to the other side.
    private var clientFinishedTunnel = false
    private var originFinishedTunnel = false
    /// Whether the last response head was informational (1xx), whose end event does not end the exchange.
    private var inInformationalResponse = false
    /// The client's `Upgrade` value when it asked for a protocol switch, such as `websocket`.
    private let upgradeRequested: String?

    init(client: ClientConnection, worker: Worker, chain: MiddlewareChain, head: HTTP1RequestHead, context: RequestContext) {
        self.client = client
        self.worker = worker
        self.chain = chain
        self.head = head
        self.context = context
        method = head.method
        requestFraming = head.framing
        requestBodyComplete = head.framing == .none
        closeAfterResponse = !head.keepAlive
        upgradeRequested = Self.requestedUpgrade(head)
    }

    /// The `Upgrade` value of a bodiless HTTP/1.1 request whose `Connection` field lists `upgrade`, or nil.
    private static func requestedUpgrade(_ head: HTTP1RequestHead) -> String? {
        guard head.versionMinor >= 1, head.framing == .none, head.connectionTokens.contains("upgrade") else {
            return nil
        }
        return head.fields.first { HTTPHeaders.namesEqual($0.name, "upgrade") }?.value
    }

    // MARK: Request phases

    func start() {
        if case .contentLength(let length) = head.framing, worker.limits.maxBodyBytes > 0,
            length > UInt64(worker.limits.maxBodyBytes)
        {
            respondLocally(.text(413, ErrorPages.clientErrorText(413)))
            return
        }
        if head.method == "CONNECT" {
            respondLocally(.text(501, "CONNECT is not supported by this gateway."))
            return
        }
        if head.method == "TRACE" {
            // TRACE echoes the request, cookies and credentials included, back to any script that can send it.
            var response = LocalResponse.text(405, "TRACE is not allowed by this gateway.")
            response.head.headers.add("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH")
            respondLocally(response)
            return
        }
        if let local = checkTarget() {
            respondLocally(local)
            return
        }
        runRequestPhases(from: 0)
    }

    /// Checks the request-target form and the host against the TLS server name. Returns the local response for a
    /// request the gateway must not route, or nil.
    private func checkTarget() -> LocalResponse? {
        let target = head.target
        if target == "*" {
            guard head.method == "OPTIONS" else {
                return .text(400, "The asterisk request target is only valid with OPTIONS.")
            }
            // RFC 9110 section 9.3.7: OPTIONS * concerns the server itself, so the gateway responds.
            var response = LocalResponse(head: ResponseHead(status: 200), body: [])
            response.head.headers.add("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH")
            return response
        }
        guard target.hasPrefix("/") || Forwarding.absoluteFormAuthority(target) != nil else {
            return .text(400, "The request target must be a path such as /storeA/ or an absolute http(s) URL.")
        }
        if let authority = Forwarding.absoluteFormAuthority(target), authority.contains("@") || authority.isEmpty {
            // RFC 9110 section 4.2.4: userinfo in an http(s) URI is an error to its recipient.
            return .text(400, "The request target must not contain user information or an empty host.")
        }
        if target.utf8.contains(UInt8(ascii: "#")) {
            return .text(400, "The request target must not contain a fragment (#).")
        }
        if let serverName = context.serverName, let host = Forwarding.clientHost(head),
            !Forwarding.hostMatches(host, serverName: serverName)
        {
            // RFC 9110 section 7.4: a request for a host this connection was not set up for is misdirected.
            return .text(421, "This connection was opened for \(serverName); send requests for \(host) on their own connection.")
        }
        return nil
    }

    private func runRequestPhases(from start: Int) {
        let headCount = chain.requestHead.count
        let total = headCount + chain.upstreamSelection.count
        var index = start
        while index < total {
            let verdict = index < headCount
                ? chain.requestHead[index].requestHead(context)
                : chain.upstreamSelection[index - headCount].selectUpstream(context)
            switch verdict {
            case .proceed:
                index += 1
            case .respond(let response):
                respondLocally(response)
                return
            case .suspend(let suspension):
                suspend(suspension, at: index)
                return
            @unknown default:
                respondLocally(ErrorPages.page(for: 500))
                return
            }
        }
        proceedToOrigin()
    }

    /// Runs a phase's asynchronous work on the loop's executor and continues the chain with its verdict.
    private func suspend(_ suspension: Suspension, at index: Int) {
        let loop = worker.loop
        Task(executorPreference: loop) { [self] in
            let verdict = await suspension.work()
            loop.execute { [self] in
                guard state == .runningChain else { return }
                switch verdict {
                case .proceed: runRequestPhases(from: index + 1)
                case .respond(let response): respondLocally(response)
                case .suspend(let next): suspend(next, at: index)
                @unknown default: respondLocally(ErrorPages.page(for: 500))
                }
            }
        }
    }

    private func proceedToOrigin() {
        guard let target = context.upstream else {
            context.logger.error(
                "no middleware chose an origin; put routing-lookup or another upstream selector in the chain")
            respondLocally(ErrorPages.page(for: 500))
            return
        }
        connect(to: target)
    }

    private func connect(to target: Upstream) {
        state = .connecting
        let key = UpstreamKey(
            scheme: target.scheme, host: target.host, port: target.port,
            verifyCertificate: target.verifyCertificate, caFile: target.caFile)
        if let connection = worker.upstreams.acquire(key, owner: self) {
            startRequest(on: connection)
        }
    }

    // MARK: Origin request

    private func startRequest(on connection: UpstreamConnection) {
        guard let target = context.upstream else { return }
        upstream = connection
        connection.beginRequest(owner: self, method: method)
        var upstreamHead = Forwarding.upstreamRequestHead(
            client: head, upstream: target, method: method, clientAddress: context.clientAddress,
            clientIsTLS: context.isTLS, requestID: context.requestID, viaName: worker.viaName,
            bodyFraming: requestFraming, upgrade: upgradeRequested)
        for middleware in chain.upstreamRequest {
            middleware.upstreamRequestHead(context, &upstreamHead)
        }
        var bytes = worker.takeScratch()
        HeadWriter.appendRequestHead(upstreamHead, into: &bytes)
        connection.channel.enqueue(bytes)
        worker.returnScratch(bytes)

        state = .forwarding
        originStart = worker.loop.now
        // While the client still sends the body, the request-body timeout governs. The origin's read timeout
        // starts once the body is complete, or while the origin does not take the bytes sent to it.
        connection.setTimeout(requestBodyComplete ? worker.timeouts.upstreamRead : nil)
        if head.expectsContinue, !requestBodyComplete, !continueSent {
            continueSent = true
            client.sendContinue()
        }
        if requestBodyComplete, requestFraming == .chunked {
            connection.channel.enqueue(Self.lastChunk)
        }
        connection.channel.flush()
        client.processInput()
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Whether the client connection should hand request body bytes to this exchange now.
    var acceptsRequestBody: Bool {
        switch state {
        case .forwarding:
            guard let upstream else { return false }
            return upstream.channel.pendingOutput < Self.highWater
        case .draining:
            return true
        case .runningChain, .connecting, .respondingLocally, .tunneling, .done:
            return false
        }
    }

    /// Takes request body bytes from the client connection.
    func requestBody(_ bytes: UnsafeRawBufferPointer) {
        requestBodyBytes += UInt64(bytes.count)
        if state == .draining {
            return
        }
        if worker.limits.maxBodyBytes > 0, requestBodyBytes > UInt64(worker.limits.maxBodyBytes) {
            // Only a chunked body can grow past the limit here; a Content-Length was checked up front.
            fail(GatewayError(.requestBodyTooLarge, source: .client))
            return
        }
        guard let upstream, !bytes.isEmpty else { return }
        if requestFraming == .chunked {
            var header = worker.takeScratch()
            HTTP1Encoder.appendChunkHeader(size: bytes.count, into: &header)
            upstream.channel.enqueue(header)
            worker.returnScratch(header)
            upstream.channel.enqueue(bytes)
            upstream.channel.enqueue(HTTP1Encoder.chunkTrailer)
        } else {
            upstream.channel.enqueue(bytes)
        }
        upstream.channel.flush()
        upstream.setTimeout(upstream.channel.pendingOutput > 0 ? worker.timeouts.upstreamRead : nil)
    }

    /// Ends the request body: sends the last chunk to the origin, or finishes a drained local response.
    func requestBodyEnded() {
        requestBodyComplete = true
        switch state {
        case .forwarding:
            if requestFraming == .chunked, let upstream {
                upstream.channel.enqueue(Self.lastChunk)
                upstream.channel.flush()
            }
            upstream?.setTimeout(worker.timeouts.upstreamRead)
            if responseComplete {
                finish()
            }
        case .draining:
            finish()
        default:
            break
        }
    }

    // MARK: UpstreamConnectionOwner

    func upstreamReady(_ connection: UpstreamConnection) {
        guard state == .connecting else {
            connection.release(reusable: true)
            return
        }
        startRequest(on: connection)
    }

    func upstreamFailed(_ connection: UpstreamConnection?, _ error: GatewayError) {
        if state == .tunneling, connection === upstream {
            // An origin side that timed out or was reset ends the tunnel and the client connection with it.
            fail(error)
            return
        }
        guard state == .connecting || state == .forwarding else { return }
        if connection != nil, connection !== upstream, upstream != nil { return }
        upstream = nil
        let nothingReceived = !responseHeadSent && pendingRedirect == nil
        if error.retryable, nothingReceived, requestFraming == .none, !retriedOnFreshConnection,
            let target = context.upstream
        {
            // A reused keep-alive connection that the origin had already closed: the request cannot have been
            // processed, so it goes once more on a new connection.
            retriedOnFreshConnection = true
            context.logger.warning("retrying on a new origin connection", metadata: ["error": error.description])
            connect(to: target)
            return
        }
        fail(error)
    }

    func upstreamReceived(_ connection: UpstreamConnection) {
        guard connection === upstream else { return }
        processUpstreamInput()
    }

    func upstreamDrained(_ connection: UpstreamConnection) {
        guard connection === upstream else { return }
        if state == .tunneling {
            client.processInput()
            return
        }
        guard state == .forwarding, !requestBodyComplete else { return }
        connection.setTimeout(nil)
        client.processInput()
    }

    func upstreamPeerClosed(_ connection: UpstreamConnection, truncated: Bool) {
        guard connection === upstream else { return }
        processUpstreamInput()
        if state == .tunneling {
            originFinishedTunnel = true
            client.channel.shutdownWriteWhenFlushed()
            if clientFinishedTunnel { endTunnel() }
            return
        }
        guard upstream === connection, state == .forwarding else { return }
        originKeepAlive = false
        do {
            if let event = try connection.decoder.finishOnClose() {
                handle(event, input: UnsafeRawBufferPointer(start: nil, count: 0), connection: connection)
                return
            }
        } catch {
            fail(GatewayError(.upstreamClosed, retryable: connection.isReused && !responseHeadSent, cause: error))
            return
        }
        fail(GatewayError(.upstreamClosed, retryable: connection.isReused && !responseHeadSent))
    }

    // MARK: Origin response

    /// Decodes what the origin sent, as far as the client's output queue allows.
    func processUpstreamInput() {
        guard let connection = upstream else { return }
        connection.setTimeout(worker.timeouts.upstreamRead)
        if state == .tunneling {
            tunnelFromOrigin(connection)
            return
        }
        var limitInput = true
        while state == .forwarding, upstream === connection {
            if client.channel.pendingOutput >= Self.highWater {
                // The client's send timeout governs while the gateway waits for the client, not the origin's.
                connection.channel.readingPaused = true
                connection.setTimeout(nil)
                break
            }
            // An empty input is still decoded: a body that just ended yields its end event without more bytes.
            let input = connection.channel.input
            let view = limitInput && input.count > filterInputLimit
                ? UnsafeRawBufferPointer(rebasing: input[..<filterInputLimit]) : input
            let consumed: Int
            let event: HTTP1Event?
            do {
                (consumed, event) = try connection.decoder.decode(view)
            } catch {
                fail(GatewayError(.invalidResponse, cause: error))
                return
            }
            // Consumed before handling: handling the end of a response may park the connection, which requires
            // an empty input. The bytes stay valid, because nothing reads into the buffer meanwhile.
            connection.channel.consume(consumed)
            guard let event else {
                if view.count < input.count {
                    // The limited view may have cut a line the decoder needs whole.
                    limitInput = false
                    continue
                }
                if connection.channel.inputFull {
                    fail(GatewayError(.invalidResponse, cause: ResponseTooLarge(limit: input.count)))
                    return
                }
                break
            }
            limitInput = true
            handle(event, input: view, connection: connection)
        }
        client.channel.flush()
    }

    /// Resumes reading the origin once the client took the queued response bytes.
    func clientDrained() {
        guard state == .forwarding || state == .tunneling, let connection = upstream else { return }
        connection.channel.readingPaused = false
        processUpstreamInput()
    }

    private func handle(_ event: HTTP1Event, input: UnsafeRawBufferPointer, connection: UpstreamConnection) {
        switch event {
        case .head:
            guard let response = connection.decoder.head else { return }
            responseHeadArrived(response)
        case .body(let range):
            if pendingRedirect != nil || responseHasNoBody { return }
            sendResponseBody(UnsafeRawBufferPointer(rebasing: input[range]))
        case .end:
            if inInformationalResponse {
                // The end of a 1xx head; the final response follows on the same connection.
                inInformationalResponse = false
                return
            }
            responseEnded(connection)
        }
    }

    private func responseHeadArrived(_ response: HTTP1ResponseHead) {
        if (100...199).contains(response.status) {
            informationalArrived(response)
            return
        }
        context.originStatus = response.status
        context.originDuration = Double(worker.loop.now - originStart) / 1e9
        originKeepAlive = response.keepAlive
        if let target = context.upstream, target.redirectMode == .follow, let hop = followableRedirect(response, target) {
            pendingRedirect = hop
            return
        }
        var clientHead = Forwarding.clientResponseHead(origin: response, viaName: worker.viaName)
        if let target = context.upstream, (300...399).contains(response.status),
            let location = clientHead.headers["Location"]
        {
            clientHead.headers.set("Location", Redirects.rewriteLocation(location, upstream: target))
        }
        let noBody = Forwarding.responseHasNoBody(status: response.status, method: method)
        sendResponseHead(clientHead, originFraming: response.framing, noBody: noBody)
    }

    private func informationalArrived(_ response: HTTP1ResponseHead) {
        if response.status == 101 {
            if let upstream, upgradeRequested != nil {
                startTunnel(response, upstream)
            } else {
                fail(GatewayError(.invalidResponse))
            }
            return
        }
        inInformationalResponse = true
        informationalCount += 1
        guard informationalCount <= Self.maxInformationalResponses else {
            // Each 1xx restarts the origin's read timeout, so an unbounded stream of them could hold a request.
            fail(GatewayError(.invalidResponse, cause: TooManyInformationalResponses(limit: Self.maxInformationalResponses)))
            return
        }
        // The gateway sends its own 100 Continue for Expect, so the origin's is dropped. Other 1xx go to HTTP/1.1
        // clients.
        guard response.status != 100, head.versionMinor >= 1 else { return }
        var headers = Forwarding.clientResponseHead(origin: response, viaName: worker.viaName).headers
        // RFC 9110 section 8.6: a 1xx response carries no content, so no Content-Length either.
        headers.remove("Content-Length")
        var bytes = worker.takeScratch()
        HeadWriter.appendResponseHead(
            ResponseHead(status: response.status, reason: response.reason, headers: headers), into: &bytes)
        client.channel.enqueue(bytes)
        worker.returnScratch(bytes)
    }

    private func followableRedirect(_ response: HTTP1ResponseHead, _ target: Upstream) -> Redirects.Hop? {
        guard Redirects.followableStatuses.contains(response.status), requestBodyComplete,
            let location = response.fields.first(where: { HTTPHeaders.namesEqual($0.name, "location") })?.value,
            let hop = Redirects.nextHop(status: response.status, location: location, method: method, current: target)
        else { return nil }
        // A request body was streamed to the origin and is gone; only a redirect that drops it can be followed.
        if requestFraming != .none, !hop.dropsBody { return nil }
        return hop
    }

    /// Runs the response-head phase, fixes the framing towards the client and queues the head.
    private func sendResponseHead(_ original: ResponseHead, originFraming: BodyFraming, noBody: Bool) {
        var responseHead = original
        context.responseStatus = responseHead.status
        for middleware in chain.responseHead {
            middleware.responseHead(context, &responseHead)
        }
        context.responseStatus = responseHead.status
        filters = context.responseBodyFilters
        if !filters.isEmpty {
            // Small first steps, so a body that decompresses 1000 to 1 cannot queue megabytes before the limit
            // adapts. Steps grow again while the filters do not expand.
            filterInputLimit = 1024
        }
        responseHasNoBody = noBody
        if !noBody {
            var lengthKnown = false
            if filters.isEmpty, case .contentLength(let length) = originFraming {
                // Written from the framing, never copied: the origin may have sent a list such as `5, 5`.
                responseHead.headers.set("Content-Length", String(length))
                lengthKnown = true
            }
            if !lengthKnown {
                responseHead.headers.remove("Content-Length")
                if head.versionMinor >= 1 {
                    clientChunked = true
                    responseHead.headers.add("Transfer-Encoding", "chunked")
                } else {
                    closeAfterResponse = true
                }
            }
        }
        writeHead(&responseHead)
    }

    private func writeHead(_ responseHead: inout ResponseHead) {
        if closeAfterResponse || worker.draining {
            closeAfterResponse = true
            responseHead.headers.set("Connection", "close")
        } else if head.versionMinor == 0 {
            responseHead.headers.set("Connection", "keep-alive")
        }
        var bytes = worker.takeScratch()
        HeadWriter.appendResponseHead(responseHead, into: &bytes)
        client.channel.enqueue(bytes)
        worker.returnScratch(bytes)
        responseHeadSent = true
    }

    private func sendResponseBody(_ bytes: UnsafeRawBufferPointer) {
        if filters.isEmpty {
            writeBody(bytes)
            return
        }
        do {
            let produced = try runFilters(bytes, endOfStream: false)
            adaptFilterInputLimit(consumed: bytes.count, produced: produced)
        } catch {
            fail(GatewayError(.bodyFilterFailed, source: .internal, cause: error))
        }
    }

    /// Shrinks the input handed to the filters per step after a step expanded a lot, as decompressing does. The
    /// output queued between two backpressure checks then stays near `highWater` instead of growing with the
    /// compression ratio, which reached about 1000 to 1 for zeros in the tests.
    private func adaptFilterInputLimit(consumed: Int, produced: Int) {
        guard consumed > 0 else { return }
        if produced > Self.highWater {
            filterInputLimit = max(64, consumed * (Self.highWater / 2) / produced)
        } else if produced < Self.highWater / 4, filterInputLimit < Int.max / 2 {
            filterInputLimit = filterInputLimit * 2
        }
    }

    /// Passes bytes through every installed filter in order and writes the last one's output; returns its size.
    @discardableResult
    private func runFilters(_ bytes: UnsafeRawBufferPointer, endOfStream: Bool) throws -> Int {
        var (current, next) = filterBuffers
        current.removeAll(keepingCapacity: true)
        try filters[0].filter(bytes, endOfStream: endOfStream, output: &current)
        for filter in filters.dropFirst() {
            next.removeAll(keepingCapacity: true)
            try current.withUnsafeBytes { try filter.filter($0, endOfStream: endOfStream, output: &next) }
            swap(&current, &next)
        }
        current.withUnsafeBytes { writeBody($0) }
        let produced = current.count
        filterBuffers = (current, next)
        return produced
    }

    private func writeBody(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        context.bytesSent += bytes.count
        if clientChunked {
            var header = worker.takeScratch()
            HTTP1Encoder.appendChunkHeader(size: bytes.count, into: &header)
            client.channel.enqueue(header)
            worker.returnScratch(header)
            client.channel.enqueue(bytes)
            client.channel.enqueue(HTTP1Encoder.chunkTrailer)
        } else {
            client.channel.enqueue(bytes)
        }
    }

    private func responseEnded(_ connection: UpstreamConnection) {
        if let hop = pendingRedirect {
            followRedirect(hop, releasing: connection)
            return
        }
        if !filters.isEmpty, !responseHasNoBody {
            do {
                try runFilters(UnsafeRawBufferPointer(start: nil, count: 0), endOfStream: true)
            } catch {
                fail(GatewayError(.bodyFilterFailed, source: .internal, cause: error))
                return
            }
        }
        if clientChunked {
            client.channel.enqueue(Self.lastChunk)
        }
        responseComplete = true
        upstream = nil
        connection.release(reusable: originKeepAlive && requestBodyComplete)
        client.channel.flush()
        if !requestBodyComplete {
            // The origin responded before reading the whole body, so the rest cannot be framed on this connection.
            closeAfterResponse = true
        }
        finish()
    }

    private func followRedirect(_ hop: Redirects.Hop, releasing connection: UpstreamConnection) {
        pendingRedirect = nil
        upstream = nil
        connection.release(reusable: originKeepAlive)
        redirectHops += 1
        guard redirectHops <= Self.maxRedirects else {
            fail(GatewayError(.tooManyRedirects))
            return
        }
        method = hop.method
        if hop.dropsBody {
            requestFraming = .none
        }
        context.upstream = hop.upstream
        originKeepAlive = true
        connect(to: hop.upstream)
    }

    // MARK: Local responses and failures

    /// Sends a response without an origin; the response-head and logging phases still run.
    func respondLocally(_ response: LocalResponse) {
        state = .respondingLocally
        var responseHead = response.head
        context.responseStatus = responseHead.status
        for middleware in chain.responseHead {
            middleware.responseHead(context, &responseHead)
        }

        var body = response.body
        let installed = context.responseBodyFilters
        if !installed.isEmpty {
            filters = installed
            if let filtered = filterWhole(body) {
                body = filtered
            } else {
                // The head may already announce the filter's encoding, so the unfiltered body cannot go out
                // under it; the plain 500 page goes out instead, without filters.
                let page = ErrorPages.page(for: 500)
                responseHead = page.head
                body = page.body
                context.responseStatus = 500
                context.failure = GatewayError(.bodyFilterFailed, source: .internal).description
            }
        }

        let noBody = Forwarding.responseHasNoBody(status: responseHead.status, method: method)
        if !(100...199).contains(responseHead.status), responseHead.status != 204 {
            responseHead.headers.remove("Transfer-Encoding")
            responseHead.headers.set("Content-Length", String(body.count))
        }
        if !requestBodyComplete {
            prepareForUnreadBody()
        }

        writeHead(&responseHead)
        if !noBody {
            client.channel.enqueue(body)
            context.bytesSent += body.count
        }
        client.channel.flush()

        if requestBodyComplete || closeAfterResponse {
            finish()
        } else {
            state = .draining
            client.processInput()
        }
    }

    private func filterWhole(_ body: [UInt8]) -> [UInt8]? {
        var current: [UInt8] = []
        do {
            try body.withUnsafeBytes { try filters[0].filter($0, endOfStream: true, output: &current) }
            for filter in filters.dropFirst() {
                var next: [UInt8] = []
                try current.withUnsafeBytes { try filter.filter($0, endOfStream: true, output: &next) }
                current = next
            }
            return current
        } catch {
            context.logger.error("a response body filter failed on a local response", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Decides between draining a small unread request body and closing after the response.
    private func prepareForUnreadBody() {
        if case .contentLength(let length) = requestFraming, !head.expectsContinue || continueSent,
            length - min(length, requestBodyBytes) <= Self.maxDrainBytes
        {
            return
        }
        closeAfterResponse = true
    }

    /// Ends the exchange with an error page if no response started, else by closing the client connection.
    /// Failures the client caused are logged at info level, the others as errors.
    func fail(_ error: GatewayError) {
        guard state != .done else { return }
        context.failure = error.description
        var metadata = ["error": error.description, "source": error.source.rawValue]
        if let storefront = context.storefrontID { metadata["storefront.id"] = storefront }
        if let target = context.upstream { metadata["origin"] = target.origin }
        if error.source == .client {
            context.logger.info("request failed", metadata: metadata)
        } else {
            context.logger.error("request failed", metadata: metadata)
        }
        if let connection = upstream {
            upstream = nil
            connection.close()
        }
        if !responseHeadSent {
            closeAfterResponse = closeAfterResponse || !requestBodyComplete
            respondLocally(error.response)
            return
        }
        closeAfterResponse = true
        finish()
        client.abort()
    }

    // MARK: Protocol switch

    /// Whether the exchange relays raw bytes both ways after the origin switched protocols.
    var isTunneling: Bool { state == .tunneling }

    /// Sends the origin's 101 to the client and relays bytes both ways from now on. Only an origin's 101 to a
    /// client's upgrade request switches, so a tunnel never opens without the origin agreeing.
    private func startTunnel(_ response: HTTP1ResponseHead, _ connection: UpstreamConnection) {
        context.originStatus = 101
        context.originDuration = Double(worker.loop.now - originStart) / 1e9
        context.responseStatus = 101
        var clientHead = Forwarding.clientResponseHead(origin: response, viaName: worker.viaName)
        clientHead.headers.add("Connection", "upgrade")
        if let protocolName = response.fields.first(where: { HTTPHeaders.namesEqual($0.name, "upgrade") })?.value {
            clientHead.headers.add("Upgrade", protocolName)
        }
        var bytes = worker.takeScratch()
        HeadWriter.appendResponseHead(clientHead, into: &bytes)
        client.channel.enqueue(bytes)
        worker.returnScratch(bytes)
        responseHeadSent = true
        closeAfterResponse = true
        state = .tunneling
        client.channel.flush()
        client.processInput()
    }

    /// Whether the client connection should hand raw tunnel bytes to the origin now.
    var acceptsTunnelBytes: Bool {
        guard state == .tunneling, let upstream else { return false }
        return upstream.channel.pendingOutput < Self.highWater
    }

    /// Relays bytes from the client to the origin.
    func tunnelFromClient(_ bytes: UnsafeRawBufferPointer) {
        guard state == .tunneling, let upstream else { return }
        upstream.channel.enqueue(bytes)
        upstream.channel.flush()
        upstream.setTimeout(worker.timeouts.upstreamRead)
    }

    private func tunnelFromOrigin(_ connection: UpstreamConnection) {
        while state == .tunneling, !connection.channel.input.isEmpty {
            if client.channel.pendingOutput >= Self.highWater {
                connection.channel.readingPaused = true
                break
            }
            let input = connection.channel.input
            client.channel.enqueue(input)
            context.bytesSent += input.count
            connection.channel.consume(input.count)
        }
        client.channel.flush()
    }

    /// Passes a client's half-close on to the origin; the tunnel ends once both sides finished sending.
    func tunnelClientClosed() {
        guard state == .tunneling else { return }
        clientFinishedTunnel = true
        upstream?.channel.shutdownWriteWhenFlushed()
        if originFinishedTunnel { endTunnel() }
    }

    /// Ends a tunnel after both sides finished sending: queued bytes still reach the client, then the
    /// connection closes.
    private func endTunnel() {
        guard state == .tunneling else { return }
        if let connection = upstream {
            upstream = nil
            connection.close()
        }
        finish()
    }

    /// Makes the client connection close after this response, for a client that half-closed.
    func markCloseAfterResponse() {
        closeAfterResponse = true
    }

    /// Stops the exchange after the client connection went away, closing the origin connection, and logs it.
    func clientGone() {
        guard state != .done else { return }
        context.failure = context.failure ?? GatewayError(.clientClosed, source: .client).description
        if let connection = upstream {
            upstream = nil
            connection.close()
        }
        closeAfterResponse = true
        finish()
    }

    private func finish() {
        guard state != .done else { return }
        state = .done
        context.duration = Double(worker.loop.now - client.requestStart) / 1e9
        for middleware in chain.logging {
            middleware.log(context)
        }
        client.exchangeFinished(self)
    }
}

/// An origin's response head or line did not fit the read buffer.
struct ResponseTooLarge: Error, CustomStringConvertible {
    let limit: Int

    var description: String {
        "the response head does not fit in \(limit) bytes; raise limits.maxResponseHeaderBytes if the origin is right"
    }
}

/// An origin sent more interim responses than the gateway relays for one request.
struct TooManyInformationalResponses: Error, CustomStringConvertible {
    let limit: Int

    var description: String { "the origin sent more than \(limit) interim (1xx) responses" }
}
