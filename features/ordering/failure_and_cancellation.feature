Feature: A payment that does not go through
  The buyer may give up on the payment page, or the payment may fail there. The shop records
  what happened, after checking with the platform, and never lets a late or forged notice undo
  a payment that went through.

  Background:
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And a buyer named Minji
    And Minji ordered 1 "제주 감귤 5kg" to pay with KakaoPay

  Scenario: The buyer cancels on KakaoPay's page
    When Minji cancels on KakaoPay's page
    Then Minji is told the order is cancelled by the buyer
    And Minji's order is cancelled by the buyer
    And KakaoPay approved nothing for Minji

  Scenario: The payment fails on KakaoPay's page
    When Minji's payment fails on KakaoPay's page
    Then Minji is told the order is failed
    And Minji's order is failed
    And KakaoPay approved nothing for Minji

  Scenario: A cancel notice for an order that was paid does not undo the payment
    Given Minji paid on KakaoPay's page
    When a cancel notice for Minji's order arrives from KakaoPay
    Then Minji's order is still paid
    And KakaoPay approved Minji's payment of 30,000 won once
    And KakaoPay refunded nothing to Minji
