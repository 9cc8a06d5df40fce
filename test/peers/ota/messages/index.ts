/**
 * The OpenTravel messages as the CHANNEL writes and reads them, for the local OTA peer, the tests
 * and the bench: the other half of lib/ota, which holds only the hotel's side (what the product
 * sends, and the parsers of what it receives). Built on lib/ota's internals (writer, reader,
 * values, amounts), so both halves write the same XML; test/unit/ota*.test.ts validate both
 * against the OTA 2015B XSD.
 */
export * from './channelSideAcknowledgements';
export * from './channelSideAnswers';
export * from './channelSideAvailability';
export * from './channelSideCancel';
export * from './channelSideInventory';
export * from './channelSideReservations';
export * from './channelSideSoap';
